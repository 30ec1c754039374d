// Picks the adapter for a profile's driver. Drivers other than SQLite are loaded lazily so a plant
// that uses one database never loads the others' client libraries.
import type { SourceConfig } from '../config/schema.js';
import { SqliteSource } from './sqlite.js';
import type { SourceAdapter } from './types.js';

export * from './types.js';

export async function createSource(config: SourceConfig, env: NodeJS.ProcessEnv = process.env): Promise<SourceAdapter> {
  switch (config.driver) {
    case 'sqlite':
      return new SqliteSource(config);
    case 'postgres': {
      const { PostgresSource } = await import('./postgres.js');
      return new PostgresSource(config, env);
    }
    case 'mysql': {
      const { MysqlSource } = await import('./mysql.js');
      return new MysqlSource(config, env);
    }
    case 'mssql': {
      const { MssqlSource } = await import('./mssql/index.js');
      return new MssqlSource(config, { env });
    }
    default:
      throw new Error(`The ${(config as { driver: string }).driver} driver is not supported; use mssql, postgres, mysql or sqlite.`);
  }
}
