import type { Profile } from '../config/schema.js';
import { TimestampReader } from './timestamp.js';
import type { ChangeReader } from './types.js';

export * from './types.js';

export function createChangeReader(profile: Profile): ChangeReader {
  const opts = { table: profile.table, key: profile.key, column: profile.change.column, lookbackSeconds: profile.change.lookbackSeconds };
  switch (profile.change.mode) {
    case 'timestamp':
      return new TimestampReader(opts);
    default:
      throw new Error(`Change mode "${profile.change.mode}" is not available in this build yet; use "timestamp".`);
  }
}
