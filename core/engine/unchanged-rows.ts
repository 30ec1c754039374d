// Rows read again exactly as they were (docs/design.md §6: idle CPU and idle RSS). Every poll of a
// timestamp profile re-reads its lookback window; each row in it was mapped again, only for the
// ledger check to find the revision it delivered before. Mapping them was most of an idle daemon's
// CPU and of the garbage it leaves. A runner keeps, per ticket, a fingerprint of the row (after its
// lines and lookups were attached, so a changed master row counts) whose mapping the ledger check
// found unchanged; a row read again with the same fingerprint is counted unchanged without mapping.
//
// Why this is exact: the runner's mapping, zone and profile are fixed for its life (a reload or a
// reset makes a new runner), so the same row content maps to the same ticket and revision; the
// fingerprint is a SHA-256 of an unambiguous encoding of every value (type, length and text), so two
// different rows do not share one; and only rows whose revision equals the ledger's are kept, so
// "unchanged" is what mapping them would have concluded. Tickets queued by resend or a changed
// mapping are never looked up here (drainQueue maps them). Bounded: cleared when it holds MAX_ROWS.
import { hash } from 'node:crypto';
import type { Row } from '../sources/types.js';

export const MAX_ROWS = 20_000;

function valueText(v: unknown): string {
  if (v === null) return 'n';
  switch (typeof v) {
    case 'string':
      return `s${v.length}:${v}`;
    case 'number':
      return `d${String(v)}`;
    case 'bigint':
      return `b${v.toString()}`;
    case 'boolean':
      return v ? 't' : 'f';
    case 'undefined':
      return 'u';
    default:
      break;
  }
  if (v instanceof Date) return `D${v.getTime()}`;
  if (v instanceof Uint8Array) return `B${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  // Attached line rows and lookup results: plain data (big integers as text).
  const json = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x.toString()}n` : x)) ?? 'u';
  return `j${json.length}:${json}`;
}

/** The row's content: every column, in the order the driver gave them, with its type and length. */
export function rowFingerprint(row: Row): string {
  let s = '';
  for (const k in row) {
    const v = valueText(row[k]);
    s += `${k.length}:${k}${v.length}:${v}`;
  }
  return hash('sha256', s, 'base64');
}

/** Per runner: ticket id → fingerprint of the row last found unchanged. */
export class UnchangedRows {
  private readonly rows = new Map<string, string>();

  /** Whether a row of this ticket is remembered (only then is a row worth fingerprinting). */
  has(ticketId: string): boolean {
    return this.rows.has(ticketId);
  }

  /** True when the row is the one last found unchanged for this ticket. */
  known(ticketId: string, fingerprint: string): boolean {
    return this.rows.get(ticketId) === fingerprint;
  }

  remember(ticketId: string, fingerprint: string): void {
    if (this.rows.size >= MAX_ROWS && !this.rows.has(ticketId)) this.rows.clear();
    this.rows.set(ticketId, fingerprint);
  }

  forget(ticketId: string): void {
    this.rows.delete(ticketId);
  }

  get size(): number {
    return this.rows.size;
  }
}
