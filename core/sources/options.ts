// The driver options of a profile's source (`source.options`) every server driver reads the same
// way: unknown keys refused by name, and the TLS setting `ssl` (true, false or an object).
import { readFileSync } from 'node:fs';
import type { SourceConfig } from '../config/schema.js';
import { SourceError } from './types.js';

/** Refuses an option the driver does not know, naming the ones it does (`product`: "PostgreSQL"). */
export function checkOptions(options: SourceConfig['options'], known: ReadonlySet<string>, product: string): void {
  for (const k of Object.keys(options ?? {})) {
    if (!known.has(k))
      throw new SourceError(`source.options.${k} is not a ${product} option; known: ${[...known].join(', ')}.`, 'EOPTION', 'other');
  }
}

/**
 * `source.options.ssl`: undefined (off), true (on, certificate checked against the system's CAs), or
 * the certificate check's settings with an optional CA file read now.
 */
export function sslOption(options: SourceConfig['options']): undefined | true | { rejectUnauthorized: boolean; ca?: string } {
  const o = options?.ssl as unknown;
  if (o === undefined || o === false) return undefined;
  if (o === true) return true;
  if (typeof o === 'object' && o) {
    const s = o as { rejectUnauthorized?: boolean; caFile?: string };
    return { rejectUnauthorized: s.rejectUnauthorized !== false, ...(s.caFile ? { ca: readFileSync(s.caFile, 'utf8') } : {}) };
  }
  throw new SourceError('source.options.ssl must be true, false or {"rejectUnauthorized": false, "caFile": "…"}.', 'EOPTION', 'other');
}
