import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The connector id (`outpost-<uuid>`), stable per state folder so the API can tell installs apart:
 * read from `<home>/connector-id`, written there on first use.
 */
export function connectorId(home: string): string {
  const file = join(home, 'connector-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const id = `outpost-${randomUUID()}`;
  writeFileSync(file, id + '\n', { mode: 0o600 });
  return id;
}
