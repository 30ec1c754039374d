// Picks the adapter for a profile's driver. Drivers other than SQLite are loaded lazily so a plant
// that uses one database never loads the others' client libraries.
import type { SourceConfig } from '../config/schema.js';
import { SqliteSource } from './sqlite.js';
import type { SourceAdapter } from './types.js';

export * from './types.js';

export async function createSource(config: SourceConfig): Promise<SourceAdapter> {
  switch (config.driver) {
    case 'sqlite':
      return new SqliteSource(config);
    default:
      throw new Error(`The ${config.driver} driver is not available in this build yet; use sqlite.`);
  }
}
