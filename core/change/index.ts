// Picks the change-detection mode of a profile (docs/design.md §3): one mode per file behind ChangeReader.
import type { Profile } from '../config/schema.js';
import { ChangeTrackingReader } from './change-tracking.js';
import { IncreasingReader } from './increasing.js';
import { RowversionReader } from './rowversion.js';
import { SnapshotReader } from './snapshot.js';
import { TimestampReader } from './timestamp.js';
import type { ChangeOptions, ChangeReader, Clock } from './types.js';

export * from './types.js';

export function createChangeReader(profile: Profile, extras: { clock?: Clock; warn?: (message: string) => void } = {}): ChangeReader {
  const opts: ChangeOptions = {
    table: profile.table,
    key: profile.key,
    column: profile.change.column,
    lookbackSeconds: profile.change.lookbackSeconds,
    timezone: profile.change.timezone,
    clock: extras.clock,
    warn: extras.warn,
  };
  switch (profile.change.mode) {
    case 'timestamp':
      return new TimestampReader(opts);
    case 'rowversion':
      return new RowversionReader(opts);
    case 'changeTracking':
      return new ChangeTrackingReader(opts);
    case 'increasing':
      return new IncreasingReader(opts);
    case 'snapshot':
      return new SnapshotReader(opts);
  }
}
