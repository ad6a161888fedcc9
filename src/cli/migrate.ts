/** `npm run migration:run`: create the database if needed and apply pending migrations. */
import 'reflect-metadata';
import { loadConfig } from '../config/app-config';
import { prepareDatabase } from '../database/prepare-database';

const config = loadConfig(process.env);
prepareDatabase({ ...config, database: { ...config.database, migrate: true } })
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
