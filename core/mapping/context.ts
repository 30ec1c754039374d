// What the mapper is told about a row besides its columns. Shared by the engine (every pass), the
// review (samples) and validate, so none of them imports another's module for it.
import type { Profile } from '../config/schema.js';
import type { Row } from '../sources/types.js';
import type { MapContext } from './mapper.js';

/** The ticket id: `<profile>:<key values joined by '/'>`, stable across runs. */
export function ticketIdFor(profile: Profile, row: Row): string {
  return `${profile.name}:${profile.key.map((k) => String(row[k] ?? '')).join('/')}`;
}

/** What the mapper needs to know about a row besides its columns (ticket id, key text, change time). */
export function mapContextFor(profile: Profile, row: Row, ticketId = ticketIdFor(profile, row)): MapContext {
  const modified = profile.change.column ? row[profile.change.column] : undefined;
  return {
    ticketId,
    recordKey: profile.key.map((k) => String(row[k] ?? '')).join('/'),
    table: profile.table,
    recordModifiedAt: modified === undefined || modified === null ? undefined : String(modified),
  };
}
