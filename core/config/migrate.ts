// Config file versions. The file carries `version` (schema.ts CONFIG_VERSION); a file written by an
// older release is migrated step by step when loaded, so every file this release writes still loads
// in the next one. A file from a newer release is refused, never guessed at.
//
// To change the file format: bump CONFIG_VERSION and append one step here that turns a file of the
// previous version into the new shape (pure: JSON in, JSON out). Steps never change once released.
import { CONFIG_VERSION } from './schema.js';

type Json = Record<string, unknown>;

/** MIGRATIONS[n] turns a version-n file into a version-(n+1) file. */
const MIGRATIONS: Array<(file: Json) => Json> = [
  // 0 → 1: files from before versioning (no `version` key); the shape is otherwise the same.
  (file) => ({ ...file, version: 1 }),
];

export class ConfigVersionError extends Error {}

/** The file's data at CONFIG_VERSION, and whether it had to be migrated. */
export function migrateConfig(data: unknown): { data: unknown; from: number; migrated: boolean } {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { data, from: CONFIG_VERSION, migrated: false };
  let file = data as Json;
  const raw = file.version;
  const from = raw === undefined ? 0 : raw;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 0) {
    throw new ConfigVersionError('version: must be a whole number (the config file format version); remove it to have it set');
  }
  if (from > CONFIG_VERSION) {
    throw new ConfigVersionError(
      `version: the file is format ${from}, written by a newer Outpost than this one (format ${CONFIG_VERSION}); upgrade Outpost`,
    );
  }
  if (MIGRATIONS.length !== CONFIG_VERSION) throw new Error('config migrations and CONFIG_VERSION disagree');
  for (let v = from; v < CONFIG_VERSION; v++) file = MIGRATIONS[v](file);
  return { data: file, from, migrated: from !== CONFIG_VERSION };
}
