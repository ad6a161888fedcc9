import type { MigrationInterface } from 'typeorm';
import { Init1795248210485 } from './1795248210485-Init';

/** Every migration, in order. `npm run migration:generate` writes a file; add its class here. */
export const migrations: (new () => MigrationInterface)[] = [Init1795248210485];
