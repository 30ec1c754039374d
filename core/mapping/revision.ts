// The revision of a mapped ticket: a hash of its content, so the ledger can tell "read again,
// nothing changed" from "changed, send again". Fields that describe the read rather than the ticket
// (revision itself, source.recordModifiedAt) are left out: touching a row without changing what the
// ticket says must not resend it.
import { hash } from 'node:crypto';
import { LINE_FIELDS, TICKET_FIELDS, type FieldSpec } from './catalog.js';
import type { ETicket } from './eticket.js';

/** A copy with every object's keys inserted in sorted order, undefined members dropped. */
function sortedCopy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'bigint') return v.toString();
    return v;
  }
  if (Array.isArray(v)) return v.map(sortedCopy);
  const keys = Object.keys(v).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== 'function') out[k] = sortedCopy(x);
  }
  return out;
}

/**
 * Canonical JSON: keys sorted, no whitespace (one native JSON.stringify over a sorted copy, which
 * is much faster than concatenating per key). Deterministic for any key order of the input.
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortedCopy(v)) ?? 'null';
}

/** Stable content hash: 'r1-' + sha256 hex of the canonical JSON without revision and source.recordModifiedAt. */
export function revisionOf(ticket: Omit<ETicket, 'revision'> | ETicket): string {
  const { revision: _revision, source, ...rest } = ticket as ETicket;
  let body: Record<string, unknown> = rest;
  if (source) {
    const { recordModifiedAt: _modified, ...src } = source;
    body = { ...rest, source: src };
  }
  return `r1-${hash('sha256', canonicalJson(body), 'hex')}`;
}

// The mapper's fast path, and the one serialisation of a ticket. Sorting keys of a freshly built
// ticket dominated the cost of mapping a row, so for tickets the mapper builds (only catalog keys) we
// serialize through key lists sorted once. The text is exactly canonicalJson() minus revision and
// source.recordModifiedAt — the bytes the revision hashes — and it records where those two keys sort,
// so the body sent (and the JSON the ledger keeps) is the same text with them spliced in: a ticket is
// serialised once, not once for the hash and again for the POST. The unit tests check both (hash and
// parsed body) on every ticket of the fuzz run.
type Slot = 'revision' | 'recordModifiedAt';
type Shape = [key: string, sub?: Shape | 'array-of' | 'slot', item?: Shape][];

function shapeOf(fields: readonly FieldSpec[]): Shape {
  return fields.map((f) => (f.kind === 'leaf' ? [f.key] : [f.key, f.leaves.map((l) => [l.key] as Shape[number])]));
}

const sortShape = (s: Shape): Shape =>
  s
    .map(([k, sub, item]): Shape[number] => [
      k,
      sub === 'array-of' || sub === 'slot' || !sub ? sub : sortShape(sub),
      item && sortShape(item),
    ])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

// 'slot' entries are not serialised: they mark where the keys the revision leaves out sort.
const TICKET_SHAPE: Shape = sortShape([
  ['schemaVersion'],
  ['ticketId'],
  ['revision', 'slot'],
  ['issuedAtLocal'],
  ['plantTimeZone'],
  ['source', [['vendor'], ['table'], ['recordKey'], ['recordModifiedAt', 'slot']]],
  ['trailers', 'array-of', [['id']]],
  ['lines', 'array-of', shapeOf(LINE_FIELDS)],
  ...shapeOf(TICKET_FIELDS),
]);

const NEEDS_ESCAPE = /["\\\u0000-\u001F\uD800-\uDFFF]/;

function primitive(v: unknown): string {
  if (typeof v === 'string') return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  return JSON.stringify(v) ?? 'null';
}

/** Where a slot's key goes in the text: the offset, and whether a member precedes it in its object. */
interface SlotAt {
  at: number;
  after: boolean;
}

function serialize(o: Record<string, unknown>, shape: Shape, base: number, slots: Partial<Record<Slot, SlotAt>>): string {
  let s = '{';
  for (let i = 0; i < shape.length; i++) {
    const e = shape[i];
    const sub = e[1];
    if (sub === 'slot') {
      slots[e[0] as Slot] = { at: base + s.length, after: s.length > 1 };
      continue;
    }
    const v = o[e[0]];
    if (v === undefined) continue;
    s += s.length === 1 ? `"${e[0]}":` : `,"${e[0]}":`;
    if (sub === undefined) s += primitive(v);
    else if (sub === 'array-of') {
      const arr = v as Record<string, unknown>[];
      s += '[';
      for (let j = 0; j < arr.length; j++) s += (j ? ',' : '') + serialize(arr[j], e[2]!, 0, slots);
      s += ']';
    } else s += serialize(v as Record<string, unknown>, sub, base + s.length, slots);
  }
  return `${s}}`;
}

/** A mapped ticket serialised once (see above). */
export interface CanonicalTicket {
  /** Canonical JSON without revision and source.recordModifiedAt: what the revision hashes. */
  readonly text: string;
  readonly revision: string;
  /** Where revision and source.recordModifiedAt go in the body (no source: no recordModifiedAt). */
  readonly slots: Readonly<Partial<Record<Slot, SlotAt>>>;
}

/**
 * A function returning a copy of a ticket with every key of the shape inserted in sorted order
 * (undefined where the ticket has none, which JSON.stringify leaves out), so one native
 * JSON.stringify yields the same text as serialize() at a third of its cost: the copy is one object
 * literal per object, always of the same hidden class. Generated once from the catalog's constant
 * keys (each quoted by JSON.stringify); no row data ever reaches the generated source.
 */
function sortedCopier(shape: Shape): (o: Record<string, unknown>) => unknown {
  const fns: string[] = [];
  const gen = (sh: Shape): string => {
    const name = `f${fns.length}`;
    fns.push('');
    const members = sh
      .filter((e) => e[1] !== 'slot')
      .map(([k, sub, item]) => {
        const key = JSON.stringify(k);
        const v = `o[${key}]`;
        if (sub === undefined) return `${key}: ${v}`;
        if (sub === 'array-of') return `${key}: ${v} === undefined ? undefined : ${v}.map(${gen(item!)})`;
        return `${key}: ${v} === undefined ? undefined : ${gen(sub as Shape)}(${v})`;
      });
    fns[Number(name.slice(1))] = `function ${name}(o) { return { ${members.join(', ')} }; }`;
    return name;
  };
  const root = gen(shape);
  return new Function(`${fns.join('\n')}\nreturn ${root};`)() as (o: Record<string, unknown>) => unknown;
}

const sortedTicket = sortedCopier(TICKET_SHAPE);

// Where the two left-out keys sort in the canonical text of a mapped ticket: revision right before
// schemaVersion (always present, and no nested object has that key); source.recordModifiedAt right
// after source.recordKey, before source.table (both always present). A quote inside a value is
// always escaped, so these anchors cannot match inside a value.
const REVISION_ANCHOR = ',"schemaVersion":';
const SOURCE_ANCHOR = '"source":{"recordKey":';
const TABLE_ANCHOR = ',"table":';

/** Serialises a ticket holding only eTicket v1 keys (what the mapper builds) and hashes it: revisionOf() in one pass. */
export function canonicalTicket(ticket: Record<string, unknown>): CanonicalTicket {
  const text = JSON.stringify(sortedTicket(ticket));
  const rev = text.indexOf(REVISION_ANCHOR);
  const src = rev < 0 ? -1 : text.indexOf(SOURCE_ANCHOR, rev);
  const table = src < 0 ? -1 : text.indexOf(TABLE_ANCHOR, src + SOURCE_ANCHOR.length);
  if (table < 0) return slowCanonicalTicket(ticket);
  const slots = { revision: { at: rev, after: true }, recordModifiedAt: { at: table, after: true } };
  return { text, revision: `r1-${hash('sha256', text, 'hex')}`, slots };
}

/** The same by walking the shape (exact for any ticket, e.g. one without a source or an empty first object). */
export function slowCanonicalTicket(ticket: Record<string, unknown>): CanonicalTicket {
  const slots: Partial<Record<Slot, SlotAt>> = {};
  const text = serialize(ticket, TICKET_SHAPE, 0, slots);
  return { text, revision: `r1-${hash('sha256', text, 'hex')}`, slots };
}

/**
 * The ticket's JSON as sent: the canonical text with its revision and source.recordModifiedAt (the
 * value at sending time, which the pipeline may have raised) spliced in where they sort. Parsed, it
 * equals the ticket; the revision still hashes exactly the canonical text.
 */
export function ticketJson(c: CanonicalTicket, recordModifiedAt: string | undefined): string {
  return sizedTicketJson(c, recordModifiedAt).json;
}

/**
 * ticketJson() and its length in UTF-8 bytes, counted from its parts: the body is spliced
 * together from pieces, and Buffer.byteLength of the whole would first copy it into one string.
 */
export function sizedTicketJson(c: CanonicalTicket, recordModifiedAt: string | undefined): { json: string; bytes: number } {
  const member = (slot: SlotAt, key: string, value: string) =>
    slot.after ? `,"${key}":${value}` : c.text[slot.at] === '}' ? `"${key}":${value}` : `"${key}":${value},`;
  const r = c.slots.revision!;
  const m = recordModifiedAt === undefined ? undefined : c.slots.recordModifiedAt;
  const rev = member(r, 'revision', `"${c.revision}"`);
  const bytes = Buffer.byteLength(c.text) + Buffer.byteLength(rev);
  if (!m) return { json: c.text.slice(0, r.at) + rev + c.text.slice(r.at), bytes };
  const rma = member(m, 'recordModifiedAt', primitive(recordModifiedAt));
  // source sorts after revision at the top level, so its slot lies after the revision's.
  return { json: c.text.slice(0, r.at) + rev + c.text.slice(r.at, m.at) + rma + c.text.slice(m.at), bytes: bytes + Buffer.byteLength(rma) };
}
