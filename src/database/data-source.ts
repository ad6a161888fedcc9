/** The data source the TypeORM CLI uses (`npm run migration:generate`). */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { databaseOptions } from './database-options';

export default new DataSource(databaseOptions(loadConfig(process.env)));
