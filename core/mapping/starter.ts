// The generated starter: from a ticket table's columns, their types, the foreign keys around it and a
// sample of values, propose an expression for every eTicket field, each with a confidence (0–1) and
// the reason, and assemble them into a template (`outpost mapping init`, the wizard).
//
// How it reads a schema:
// - Column names are split into words whatever their style (snake_case, camelCase, PascalCase,
//   spaces) and common abbreviations are expanded (tkt/tix → ticket, wgt/wt → weight, veh → vehicle,
//   cust → customer, prod → product, qty → quantity, uom → unit, no/num/nbr → number, …).
// - Candidates are the table's own columns, the columns of 1:1 detail tables (a table whose key is a
//   foreign key to this table's key: weights beside a gate-entry header), and the columns of master
//   tables reached through foreign keys, one or two hops (customer_id → customers.name; product_id →
//   products.supplier_id → suppliers.name), named by the foreign key column's words ("customer").
//   A field mapped through a master reads its *name column* (name, *_name, description, title).
// - Units come from a unit-of-measure column's values (LB, TN, KG, …) or, without one, from the
//   weights' magnitude (a truck's net ≥ 1000 is pounds or kilograms, below 200 tons or tonnes).
// - The status comes from a void flag (Y/N, 1/0, true/false) or a status code (from the samples or
//   the status table): codes that read void/cancel become "voided"; codes that read open, pending or
//   in progress become a skip rule; the material category from product codes and descriptions.
import type { ColumnInfo, ForeignKey, Row, SourceAdapter, TableDetail } from '../sources/types.js';
import { LINE_FIELDS, TICKET_FIELDS } from './catalog.js';
import type { Expression, Scalar, SkipRule, Template } from './template.js';
import { dateWallText } from './values.js';

export interface StarterTable {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  /** Unique column sets besides the primary key (1:1 detection). */
  unique?: string[][];
  /** A few rows, or every row of a small master table (status codes, product categories). */
  rows?: Row[];
}

export interface StarterInput {
  table: StarterTable;
  /** Foreign keys of the database (at least those touching the table and its masters). */
  foreignKeys: ForeignKey[];
  /** Tables reached through foreign keys (masters and 1:1 details), by name as in ForeignKey. */
  related: Record<string, StarterTable>;
  /** Sample rows of the ticket table as read (raw). */
  samples: Row[];
  /** Template name (default: the table name, made file-safe). */
  name?: string;
}

export interface StarterField {
  /** Dotted eTicket path: "customer.name", "lines.quantity.value", "trailers". */
  path: string;
  expression: Expression | null;
  /** 0 (nothing found: set it in mapping.fields) … 1 (certain). */
  confidence: number;
  reason: string;
}

export interface Starter {
  template: Template;
  fields: StarterField[];
  /** Proposed row rules (in template.skip too). */
  skip: { rule: SkipRule; reason: string }[];
}

// ---------------------------------------------------------------------------------------------
// Words.

const ABBREVIATIONS: Record<string, string[]> = {
  tkt: ['ticket'],
  tix: ['ticket'],
  tick: ['ticket'],
  tckt: ['ticket'],
  tk: ['ticket'],
  tickets: ['ticket'],
  wgt: ['weight'],
  wt: ['weight'],
  wght: ['weight'],
  weigh: ['weight'],
  weighed: ['weight'],
  veh: ['truck'],
  vehicle: ['truck'],
  trk: ['truck'],
  lorry: ['truck'],
  reg: ['registration'],
  regn: ['registration'],
  at: ['date', 'time'],
  on: ['date'],
  cust: ['customer'],
  cst: ['customer'],
  client: ['customer'],
  customers: ['customer'],
  prod: ['product'],
  products: ['product'],
  mat: ['product'],
  matl: ['product'],
  mtl: ['product'],
  material: ['product'],
  materials: ['product'],
  qty: ['quantity'],
  uom: ['unit'],
  um: ['unit'],
  units: ['unit'],
  no: ['number'],
  num: ['number'],
  nbr: ['number'],
  nr: ['number'],
  nmbr: ['number'],
  desc: ['description'],
  descr: ['description'],
  dsc: ['description'],
  dt: ['date'],
  dte: ['date'],
  tm: ['time'],
  datetime: ['date', 'time'],
  timestamp: ['date', 'time'],
  ts: ['date', 'time'],
  supp: ['supplier'],
  supl: ['supplier'],
  sup: ['supplier'],
  vend: ['supplier'],
  vendor: ['supplier'],
  suppliers: ['supplier'],
  gr: ['gross'],
  grs: ['gross'],
  tr: ['tare'],
  nt: ['net'],
  lbs: ['pound'],
  lb: ['pound'],
  kgs: ['kilogram'],
  kg: ['kilogram'],
  tons: ['ton'],
  tonnes: ['tonne'],
  mt: ['tonne'],
  addr: ['address'],
  ord: ['order'],
  po: ['purchase', 'order'],
  proj: ['project'],
  temp: ['temperature'],
  tmp: ['temperature'],
  drv: ['driver'],
  drvr: ['driver'],
  hlr: ['hauler'],
  haul: ['hauler'],
  haulier: ['hauler'],
  carrier: ['hauler'],
  transporter: ['hauler'],
  loc: ['location'],
  dest: ['destination'],
  cat: ['category'],
  catg: ['category'],
  jmf: ['mix'],
  stat: ['status'],
  sts: ['status'],
  cncl: ['cancel'],
  cxl: ['cancel'],
  cancelled: ['cancel'],
  canceled: ['cancel'],
  voided: ['void'],
  vd: ['void'],
  wm: ['weighmaster'],
  plt: ['plant'],
  plnt: ['plant'],
  site: ['plant'],
  yard: ['plant'],
  comp: ['company'],
  co: ['company'],
  txn: ['transaction'],
  trx: ['transaction'],
  trans: ['transaction'],
  dir: ['direction'],
  cd: ['code'],
  nm: ['name'],
  rmk: ['remarks'],
  rmks: ['remarks'],
  remarks: ['notes'],
  remark: ['notes'],
  note: ['notes'],
  comment: ['notes'],
  comments: ['notes'],
  memo: ['notes'],
  instructions: ['notes'],
};

/** Words of a column or table name: "TktNo" → ticket number, "net_wgt_lbs" → net weight pound. */
export function words(name: string): string[] {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .split(/[^A-Za-z0-9#]+/)
    .map((p) => p.toLowerCase())
    .filter(Boolean)
    .map((p) => (p === '#' ? 'no' : p));
  const out: string[] = [];
  for (const p of parts) for (const w of ABBREVIATIONS[p] ?? [p]) if (!out.includes(w)) out.push(w);
  return out;
}

const singular = (w: string) =>
  w.endsWith('ies')
    ? `${w.slice(0, -3)}y`
    : w.endsWith('sses')
      ? w.slice(0, -2)
      : w.endsWith('s') && !w.endsWith('ss')
        ? w.slice(0, -1)
        : w;
const KEY_WORDS = new Set(['id', 'key', 'fk', 'ref', 'code', 'number', 'pk', 'master', 'mst', 'mstr']);

// ---------------------------------------------------------------------------------------------
// Candidates: the table's columns, 1:1 detail columns, master columns through foreign keys.

interface Candidate {
  /** How the value is read. */
  expr: Expression;
  /** Words the field rules match against. */
  words: string[];
  type: string;
  /** Where it comes from, for reasons: "ticket_no", "customer_id → customers.name". */
  label: string;
  /** 0: the table's own column; 1: a 1:1 detail column or one hop; 2: two hops. */
  hops: number;
  /** Values seen (samples, or the master table's rows). */
  values: unknown[];
  /** The column is the name column of its master table. */
  isName: boolean;
  /** A numeric column of the ticket table that is a foreign key: a surrogate id, its master says more. */
  surrogate?: boolean;
  /** The foreign key column of the ticket table that leads here (for masters). */
  via?: string;
  column: string;
  table: string;
}

const NAME_COLUMN = /^(name|.*_name|.*Name|description|descr|desc|title|label|full_?name)$/i;

/** The master table's name column: name, *_name, description, title. */
export function nameColumn(t: StarterTable): string | undefined {
  const text = t.columns.filter((c) => !t.primaryKey.includes(c.name) && /char|text|string|clob/i.test(c.type));
  const ranked = text
    .map((c) => {
      const w = words(c.name);
      let s = 0;
      if (/^(name|full_?name)$/i.test(c.name)) s = 5;
      else if (w.includes('name')) s = 4;
      else if (w.includes('description')) s = 3;
      else if (w.includes('title') || w.includes('label')) s = 2;
      else if (NAME_COLUMN.test(c.name)) s = 1;
      return { c, s };
    })
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s);
  return ranked[0]?.c.name;
}

function valuesOf(rows: Row[] | undefined, column: string): unknown[] {
  return (rows ?? []).map((r) => r[column]);
}

/** The default schemas (PostgreSQL public, SQL Server dbo) resolve unqualified names: templates read shorter. */
function shortTable(table: string): string {
  return /^(public|dbo)\.[^.]+$/i.test(table) ? table.slice(table.indexOf('.') + 1) : table;
}

function lookupExpr(table: string, on: Record<string, Expression>, column: string): Expression {
  return { lookup: { table: shortTable(table), on, column } };
}

function sameTable(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || x.split('.').at(-1) === y.split('.').at(-1);
}

function related(input: StarterInput, name: string): StarterTable | undefined {
  if (input.related[name]) return input.related[name];
  const k = Object.keys(input.related).find((n) => sameTable(n, name));
  return k ? input.related[k] : undefined;
}

/** Words naming what a foreign key column points at: customer_id → customer; else the table's words. */
function conceptOf(column: string, table: string): string[] {
  const w = words(column).filter((x) => !KEY_WORDS.has(x));
  if (w.length) return w;
  return words(table.split('.').at(-1)!)
    .map(singular)
    .filter((x) => !KEY_WORDS.has(x));
}

function candidates(input: StarterInput): Candidate[] {
  const t = input.table;
  const out: Candidate[] = [];
  const fks = input.foreignKeys;
  for (const c of t.columns) {
    const surrogate = NUMBER.test(c.type) && fks.some((f) => sameTable(f.table, t.name) && f.columns.includes(c.name));
    out.push({
      expr: { column: c.name },
      words: words(c.name),
      type: c.type,
      label: c.name,
      hops: 0,
      values: valuesOf(input.samples, c.name),
      isName: false,
      column: c.name,
      table: t.name,
      surrogate,
    });
  }
  // 1:1 details: a table whose foreign key to this table is its primary key (or a unique key).
  for (const fk of fks) {
    if (!sameTable(fk.referencedTable, t.name) || sameTable(fk.table, t.name)) continue;
    const d = related(input, fk.table);
    if (!d) continue;
    const unique = [d.primaryKey, ...(d.unique ?? [])].some(
      (u) => u.length === fk.columns.length && u.every((c) => fk.columns.includes(c)),
    );
    if (!unique) continue;
    const on: Record<string, Expression> = {};
    fk.columns.forEach((c, i) => (on[c] = { column: fk.referencedColumns[i] }));
    const by = fk.columns.join(', ');
    for (const c of d.columns) {
      if (fk.columns.includes(c.name)) continue;
      out.push({
        expr: lookupExpr(fk.table, on, c.name),
        words: words(c.name),
        type: c.type,
        label: `${fk.referencedColumns.join(', ')} → ${shortTable(fk.table)}.${c.name} (1:1 by ${by})`,
        hops: 1,
        values: valuesOf(d.rows, c.name),
        isName: false,
        column: c.name,
        table: fk.table,
      });
    }
  }
  // Masters, one and two hops.
  const hop = (
    fromTable: string,
    keyOf: (col: string) => Expression,
    prefix: string[],
    label: (col: string) => string,
    depth: number,
    via?: string,
  ) => {
    for (const fk of fks) {
      if (!sameTable(fk.table, fromTable) || fk.columns.length !== 1) continue;
      if (sameTable(fk.referencedTable, t.name)) continue;
      const m = related(input, fk.referencedTable);
      if (!m) continue;
      const col = fk.columns[0];
      const concept = depth === 1 ? conceptOf(col, fk.referencedTable) : [...conceptOf(col, fk.referencedTable)];
      const key = keyOf(col);
      const nameCol = nameColumn(m);
      for (const c of m.columns) {
        if (c.name === fk.referencedColumns[0] && depth === 1 && m.columns.length > 1 && !/char|text/i.test(c.type)) continue; // the surrogate id itself
        const w = [...concept, ...words(c.name).filter((x) => !concept.includes(x))];
        const isName = c.name === nameCol;
        if (isName && !w.includes('name')) w.push('name');
        out.push({
          expr: lookupExpr(fk.referencedTable, { [fk.referencedColumns[0]]: key }, c.name),
          words: w,
          type: c.type,
          label: `${label(col)} → ${shortTable(fk.referencedTable)}.${c.name}`,
          hops: depth,
          values: valuesOf(m.rows, c.name),
          isName,
          via: via ?? col,
          column: c.name,
          table: fk.referencedTable,
        });
      }
      if (depth === 1) {
        hop(
          fk.referencedTable,
          (c2) => lookupExpr(fk.referencedTable, { [fk.referencedColumns[0]]: key }, c2),
          prefix,
          (c2) => `${label(col)} → ${shortTable(fk.referencedTable)}.${c2}`,
          2,
          col,
        );
      }
    }
  };
  hop(
    t.name,
    (c) => ({ column: c }),
    [],
    (c) => c,
    1,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Field rules.

type Kind = 'text' | 'number' | 'datetime' | 'date' | 'time' | 'any';

interface Rule {
  path: string;
  /** Word sets, best first: a candidate matches a set when it has all its words. */
  want: string[][];
  avoid?: string[];
  kind: Kind;
  /** Prefer a master's name column (party names). */
  name?: boolean;
}

const RULES: Rule[] = [
  {
    path: 'ticketNumber',
    want: [['ticket', 'number'], ['ticket'], ['entry', 'number'], ['transaction', 'number'], ['number']],
    avoid: ['load', 'order', 'job', 'truck', 'line', 'customer', 'product', 'plant'],
    kind: 'any',
  },
  { path: 'voidReason', want: [['void', 'reason'], ['cancel', 'reason'], ['reason']], kind: 'text' },
  { path: 'plant.id', want: [['plant', 'code'], ['plant', 'number'], ['plant'], ['plant', 'id']], avoid: ['name'], kind: 'any' },
  {
    path: 'plant.name',
    want: [
      ['plant', 'name'],
      ['plant', 'description'],
    ],
    kind: 'text',
    name: true,
  },
  {
    path: 'supplier.id',
    want: [
      ['supplier', 'code'],
      ['supplier', 'number'],
    ],
    avoid: ['name'],
    kind: 'any',
  },
  { path: 'supplier.name', want: [['supplier', 'name'], ['supplier']], avoid: ['id', 'code', 'number'], kind: 'text', name: true },
  {
    path: 'customer.id',
    want: [
      ['customer', 'code'],
      ['customer', 'number'],
      ['customer', 'account'],
    ],
    avoid: ['name', 'purchase'],
    kind: 'any',
  },
  {
    path: 'customer.name',
    want: [['customer', 'name'], ['customer']],
    avoid: ['id', 'code', 'number', 'purchase', 'order'],
    kind: 'text',
    name: true,
  },
  {
    path: 'truck.id',
    want: [
      ['truck', 'number'],
      ['truck', 'code'],
      ['truck', 'plate'],
      ['truck', 'registration'],
      ['truck', 'name'],
      ['truck'],
      ['plate'],
      ['registration'],
    ],
    avoid: ['type', 'hauler', 'driver', 'weight', 'tare'],
    kind: 'any',
  },
  { path: 'loadNumber', want: [['load', 'number'], ['load']], avoid: ['temperature', 'date', 'time'], kind: 'any' },
  { path: 'weighmaster', want: [['weighmaster'], ['weight', 'master'], ['operator'], ['scale', 'operator'], ['clerk']], kind: 'text' },
  { path: 'contractNumber', want: [['contract', 'number'], ['contract']], kind: 'any' },
  { path: 'dotProjectCode', want: [['dot', 'project'], ['dot'], ['state', 'project']], kind: 'any' },
  { path: 'jobNumber', want: [['job', 'number'], ['job'], ['project', 'number']], avoid: ['site', 'address'], kind: 'any' },
  { path: 'orderNumber', want: [['sales', 'order'], ['order', 'number'], ['order']], avoid: ['purchase'], kind: 'any' },
  { path: 'purchaseOrder', want: [['purchase', 'order']], kind: 'any' },
  { path: 'hauler.name', want: [['hauler', 'name'], ['hauler']], avoid: ['id', 'code'], kind: 'text', name: true },
  { path: 'driver.name', want: [['driver', 'name'], ['driver']], avoid: ['id', 'code', 'license'], kind: 'text', name: true },
  {
    path: 'deliveryLocation.address',
    want: [['delivery', 'address'], ['delivery'], ['ship', 'to'], ['destination'], ['address'], ['job', 'site']],
    kind: 'text',
  },
  { path: 'notes', want: [['notes']], kind: 'text' },
  {
    path: 'lines.productCode',
    want: [['product', 'code'], ['product', 'number'], ['item', 'code'], ['mix', 'code'], ['product']],
    avoid: ['description', 'name', 'category', 'type', 'supplier'],
    kind: 'any',
  },
  {
    path: 'lines.productDescription',
    want: [['product', 'description'], ['product', 'name'], ['item', 'description'], ['description']],
    avoid: ['category', 'type', 'supplier'],
    kind: 'text',
    name: true,
  },
  { path: 'lines.mixDesignId', want: [['mix', 'design'], ['mix', 'id'], ['mix']], kind: 'any' },
  { path: 'lines.payItem', want: [['pay', 'item']], kind: 'any' },
  { path: 'lines.temperature.value', want: [['temperature']], kind: 'number' },
];

const TEXT = /char|text|string|clob|nvarchar|varchar/i;
const NUMBER = /int|numeric|decimal|real|double|float|money|number/i;
const DATETIME = /datetime|timestamp|smalldatetime/i;

function typeFits(c: Candidate, kind: Kind): number {
  const t = c.type.toLowerCase();
  switch (kind) {
    case 'text':
      return TEXT.test(t) || t === '' ? 1 : NUMBER.test(t) ? 0.5 : 0.2;
    case 'number':
      return NUMBER.test(t) ? 1 : TEXT.test(t) ? 0.6 : 0.1;
    case 'datetime':
      return DATETIME.test(t) ? 1 : /^date$/.test(t) ? 0.8 : TEXT.test(t) ? 0.6 : 0.1;
    case 'date':
      return /date/.test(t) ? 1 : TEXT.test(t) || NUMBER.test(t) ? 0.6 : 0.1;
    case 'time':
      return /^time/.test(t) ? 1 : TEXT.test(t) || NUMBER.test(t) ? 0.7 : 0.2;
    default:
      return /bool|bit|blob|binary|bytea/.test(t) ? 0.2 : 1;
  }
}

/** Share of values that are not empty (1 when none are known). */
function filled(values: unknown[]): number {
  if (values.length === 0) return 1;
  return values.filter((v) => v !== null && v !== undefined && String(v).trim() !== '').length / values.length;
}

interface Match {
  c: Candidate;
  score: number;
  set: string[];
}

function bestMatch(cands: Candidate[], rule: Rule, used: Set<string>): Match | undefined {
  let best: Match | undefined;
  for (const c of cands) {
    if (rule.avoid?.some((a) => c.words.includes(a))) continue;
    rule.want.forEach((set, i) => {
      if (!set.every((w) => c.words.includes(w))) return;
      // Exactness: the share of the candidate's words the set explains; earlier sets rank higher.
      const extra = c.words.filter((w) => !set.includes(w) && !KEY_WORDS.has(w)).length;
      let score = (1 - i * 0.08) * (1 / (1 + 0.35 * extra)) * typeFits(c, rule.kind) * (0.5 + 0.5 * filled(c.values));
      if (rule.name && c.hops > 0) score *= c.isName ? 1.1 : 0.6;
      if (c.hops > 0) score *= c.hops === 1 ? 0.97 : 0.93;
      if (c.surrogate) score *= 0.6;
      if (used.has(c.label)) score *= 0.7;
      if (!best || score > best.score) best = { c, score, set };
    });
  }
  return best;
}

const round2 = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;

function reasonFor(m: Match): string {
  const how =
    m.c.hops === 0 ? `column ${m.c.label}` : m.c.label.includes('(1:1') ? m.c.label : `${m.c.label} (through the foreign key ${m.c.via})`;
  return `${how} reads as "${m.set.join(' ')}"${m.c.isName ? " (its table's name column)" : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Values: units, flags, status codes, categories.

function numbers(values: unknown[]): number[] {
  return values
    .map((v) => (typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN))
    .filter((n) => Number.isFinite(n));
}

function median(ns: number[]): number | undefined {
  if (!ns.length) return undefined;
  const s = [...ns].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const UNIT_WORDS: Record<string, string> = {
  LB: 'LBR',
  LBS: 'LBR',
  POUND: 'LBR',
  POUNDS: 'LBR',
  '#': 'LBR',
  LBR: 'LBR',
  TN: 'STN',
  TON: 'STN',
  TONS: 'STN',
  ST: 'STN',
  STN: 'STN',
  'SHORT TON': 'STN',
  T: 'TNE',
  MT: 'TNE',
  TONNE: 'TNE',
  TONNES: 'TNE',
  TNE: 'TNE',
  'METRIC TON': 'TNE',
  KG: 'KGM',
  KGS: 'KGM',
  KILO: 'KGM',
  KILOS: 'KGM',
  KILOGRAM: 'KGM',
  KILOGRAMS: 'KGM',
  KGM: 'KGM',
  M3: 'MTQ',
  MTQ: 'MTQ',
  CY: 'YDQ',
  YD3: 'YDQ',
  YDQ: 'YDQ',
  EA: 'EA',
  EACH: 'EA',
};

interface UnitPlan {
  /** The weights' unit: a const code, or read from a column through a map. */
  unit: Expression;
  /** The quantity: converted to tons (STN for pounds, TNE for kilograms). */
  quantityTo: 'STN' | 'TNE';
  from: Expression | string;
  unitMap?: Record<string, string>;
  confidence: number;
  reason: string;
}

function planUnits(cands: Candidate[], net: Candidate | undefined): UnitPlan {
  const uom = cands
    .filter((c) => c.words.includes('unit') && !c.words.includes('temperature') && !c.words.includes('price'))
    .sort((a, b) => a.hops - b.hops || Number(b.words.includes('weight')) - Number(a.words.includes('weight')))[0];
  if (uom) {
    const seen = [
      ...new Set(
        uom.values
          .filter((v) => v !== null && v !== undefined)
          .map((v) => String(v).trim().toUpperCase())
          .filter(Boolean),
      ),
    ];
    const unitMap: Record<string, string> = {};
    for (const s of seen) if (UNIT_WORDS[s]) unitMap[s] = UNIT_WORDS[s];
    for (const [k, v] of Object.entries(UNIT_WORDS))
      if (['LB', 'LBS', 'TN', 'TON', 'KG', 'T', 'MT'].includes(k) && !unitMap[k]) unitMap[k] = v;
    const codes = seen.map((s) => UNIT_WORDS[s]).filter(Boolean);
    const metric = codes.some((c) => c === 'KGM' || c === 'TNE') && !codes.some((c) => c === 'LBR' || c === 'STN');
    return {
      unit: { ...uom.expr, then: [{ map: unitMap, caseInsensitive: true }] },
      quantityTo: metric ? 'TNE' : 'STN',
      from: uom.expr,
      unitMap,
      confidence: seen.length && seen.every((s) => UNIT_WORDS[s]) ? 0.9 : 0.6,
      reason: `unit of measure from ${uom.label}${seen.length ? ` (values ${seen.slice(0, 5).join(', ')})` : ''}`,
    };
  }
  const w = net?.words ?? [];
  const named = w.includes('pound')
    ? 'LBR'
    : w.includes('kilogram')
      ? 'KGM'
      : w.includes('tonne')
        ? 'TNE'
        : w.includes('ton')
          ? 'STN'
          : undefined;
  if (named) {
    return {
      unit: { const: named },
      quantityTo: named === 'KGM' || named === 'TNE' ? 'TNE' : 'STN',
      from: named,
      confidence: 0.85,
      reason: `the weight column's name says ${named}`,
    };
  }
  const m = median(numbers(net?.values ?? []));
  if (m !== undefined && m >= 1000)
    return {
      unit: { const: 'LBR' },
      quantityTo: 'STN',
      from: 'LBR',
      confidence: 0.6,
      reason: `no unit column; net weights around ${m} look like pounds (kilograms would be about half: check a paper ticket)`,
    };
  if (m !== undefined && m > 0 && m < 200)
    return {
      unit: { const: 'STN' },
      quantityTo: 'STN',
      from: 'STN',
      confidence: 0.5,
      reason: `no unit column; net weights around ${m} look like tons (short tons assumed; tonnes would be TNE)`,
    };
  return {
    unit: { const: 'LBR' },
    quantityTo: 'STN',
    from: 'LBR',
    confidence: 0.3,
    reason: 'no unit column and no sample weights: pounds assumed',
  };
}

const TRUTHY = new Set(['y', 'yes', '1', 'true', 't', 'v', 'x', 'void', 'voided']);
const FALSY = new Set(['n', 'no', '0', 'false', 'f', '', ' ']);
const VOID_CODE = /void|cancel|cxl|^vd$|^v$|^x$|delet|revers/i;
const DONE_CODE = /complete|done|final|closed|issued|posted|shipped|printed|exit|out$|^gx|^c$|^f$|^ok$/i;
const OPEN_CODE = /open|pend|progress|hold|draft|tare|weighing|incomplete|active|^wip$|^in$|queue|^o$|^p$|new/i;

function distinct(values: unknown[]): string[] {
  return [
    ...new Set(values.filter((v) => v !== null && v !== undefined).map((v) => (typeof v === 'boolean' ? String(v) : String(v).trim()))),
  ];
}

// ---------------------------------------------------------------------------------------------

const CATEGORY_WORDS: [RegExp, 'asphalt' | 'concrete' | 'aggregate'][] = [
  [/asphalt|^hma|^wma|^ac\b|bitum|superpave|^sp\b|hot ?mix|blacktop|tack|emulsion/i, 'asphalt'],
  [/concrete|^rmc|^conc|ready ?mix|^pcc|cement|grout|^rm\b/i, 'concrete'],
  [/aggregate|^agg|stone|sand|gravel|rock|rip ?rap|crush|base|lime|screen|fill|ballast|#\d/i, 'aggregate'],
];

function categoryOf(text: string): 'asphalt' | 'concrete' | 'aggregate' | undefined {
  for (const [re, c] of CATEGORY_WORDS) if (re.test(text)) return c;
  return undefined;
}

function safeName(s: string): string {
  const n = s
    .split('.')
    .at(-1)!
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 60);
  return n || 'site-template';
}

/** Proposes an expression for every eTicket field and assembles the starter template. */
export function generateStarter(input: StarterInput): Starter {
  const cands = candidates(input);
  const fields: StarterField[] = [];
  const used = new Set<string>();
  const exprOf = new Map<string, Expression | null>();
  const put = (path: string, expression: Expression | null, confidence: number, reason: string) => {
    fields.push({ path, expression, confidence: round2(confidence), reason });
    exprOf.set(path, expression);
  };
  const pick = (rule: Rule): Match | undefined => {
    const m = bestMatch(cands, rule, used);
    if (m && m.score >= 0.3) {
      used.add(m.c.label);
      return m;
    }
    return undefined;
  };

  // issuedAt: a date-time column, or a date + a time column.
  const dtRule: Rule = {
    path: 'issuedAt',
    want: [
      ['ticket', 'date', 'time'],
      ['ticket', 'date'],
      ['issued'],
      ['weight', 'date'],
      ['transaction', 'date'],
      ['entry', 'date'],
      ['date', 'time'],
      ['date'],
      ['created'],
    ],
    avoid: ['modified', 'updated', 'changed', 'edit', 'last', 'due', 'birth', 'expiry', 'expires'],
    kind: 'datetime',
  };
  const dt = pick(dtRule);
  if (dt) {
    const t = dt.c.type.toLowerCase();
    const dateOnly =
      /^date$/.test(t) ||
      (!dt.c.words.includes('time') &&
        !DATETIME.test(t) &&
        dt.c.values.every(
          (v) => v === null || /^\s*\d{4}-\d\d-\d\d\s*$|^\d{8}$/.test(v instanceof Date ? (dateWallText(v) ?? '').slice(0, 10) : String(v)),
        ));
    const timeRule: Rule = {
      path: 'issuedAt.time',
      want: [['ticket', 'time'], ['weight', 'time'], ['entry', 'time'], ['time']],
      avoid: ['modified', 'updated', 'changed', 'date', 'zone'],
      kind: 'time',
    };
    const tm = dateOnly ? pick(timeRule) : undefined;
    if (tm)
      put(
        'issuedAt',
        { dateTime: { date: dt.c.expr, time: tm.c.expr } },
        Math.min(dt.score, tm.score),
        `the date from ${dt.c.label} and the time from ${tm.c.label} (${tm.c.type || 'text'}), read in the plant's zone`,
      );
    else
      put(
        'issuedAt',
        DATETIME.test(t) || t === '' || TEXT.test(t) ? { ...dt.c.expr, then: [{ localDateTime: {} }] } : dt.c.expr,
        dt.score * (dateOnly ? 0.6 : 1),
        `${reasonFor(dt)}${dateOnly ? '; it holds only a date and no time column was found' : ''}, read in the plant's zone`,
      );
  } else {
    const any = cands.find((c) => c.hops === 0 && DATETIME.test(c.type) && !dtRule.avoid!.some((a) => c.words.includes(a)));
    if (any)
      put(
        'issuedAt',
        { ...any.expr, then: [{ localDateTime: {} }] },
        0.3,
        `no column reads as the ticket date; ${any.label} is the only date-time column (check it is when the ticket was issued)`,
      );
    else
      put(
        'issuedAt',
        { const: '' },
        0,
        'no ticket date/time column found: set issuedAt in mapping.fields (until then every ticket is filtered with "ticket date is empty")',
      );
  }

  for (const rule of RULES) {
    if (rule.path.startsWith('lines.temperature')) continue;
    const m = pick(rule);
    if (!m) {
      exprOf.set(rule.path, null);
      continue;
    }
    let expr: Expression = m.c.expr;
    if (rule.path === 'ticketNumber') expr = { ...expr, then: ['trim'] };
    put(rule.path, expr, m.score, reasonFor(m));
  }

  // A party found through a master and also as a text column of the ticket (a manual name): the
  // master's name, else the typed one.
  for (const party of ['customer', 'supplier', 'hauler', 'driver']) {
    const f = fields.find((x) => x.path === `${party}.name`);
    if (!f?.expression || !('lookup' in f.expression)) continue;
    const manual =
      cands.find((c) => c.hops === 0 && c.words.includes(party) && c.words.includes('name') && TEXT.test(c.type)) ??
      cands.find(
        (c) =>
          c.hops === 0 &&
          c.words.includes(party) &&
          (c.words.includes('manual') || c.words.includes('cash') || c.words.includes('walk')) &&
          TEXT.test(c.type),
      );
    if (manual) {
      f.expression = { lookup: { ...f.expression.lookup, default: manual.expr } };
      f.reason += `; when it is empty or not found, ${manual.label}`;
      exprOf.set(f.path, f.expression);
    }
  }

  // Plant: a plant name falls back to its code; no plant columns at all → set it in mapping.fields.
  if (!exprOf.get('plant.id') && exprOf.get('plant.name'))
    put('plant.id', exprOf.get('plant.name')!, 0.4, 'no plant code column: the plant name is used as its id');
  if (!exprOf.get('plant.name') && exprOf.get('plant.id'))
    put('plant.name', exprOf.get('plant.id')!, 0.4, 'no plant name column: the plant code is used (set the real name in mapping.fields)');
  if (!exprOf.get('plant.id')) {
    put(
      'plant.id',
      { const: '' },
      0,
      'no plant column: set plant.id in mapping.fields (until then every ticket is filtered with "plant code is empty")',
    );
    put('plant.name', { const: '' }, 0, 'no plant column: set plant.name in mapping.fields');
  }
  if (!exprOf.get('supplier.name')) {
    const plantName = exprOf.get('plant.name')!;
    put('supplier.name', plantName, 0.4, 'no supplier column: the plant is taken as the supplier (it sells the material)');
  }
  if (!exprOf.get('customer.name')) put('customer.name', { const: '' }, 0, 'no customer column: set customer.name in mapping.fields');
  if (!exprOf.get('truck.id')) put('truck.id', { const: '' }, 0, 'no truck column: set truck.id in mapping.fields');
  if (!exprOf.get('ticketNumber')) {
    const key = input.table.primaryKey;
    if (key.length === 1) put('ticketNumber', { column: key[0] }, 0.5, `no ticket number column: the key ${key[0]} is used`);
    else put('ticketNumber', { const: '' }, 0, 'no ticket number column: set ticketNumber in mapping.fields');
  }

  // Status: a void flag, else a status code (maybe through a status table), with a skip rule for
  // codes that read as not finished.
  const skip: Starter['skip'] = [];
  const flag = cands
    .filter(
      (c) =>
        (c.words.includes('void') || c.words.includes('cancel')) &&
        !c.words.includes('reason') &&
        !c.words.includes('date') &&
        !c.words.includes('by'),
    )
    .sort((a, b) => a.hops - b.hops)[0];
  const statusCand = cands
    .filter(
      (c) =>
        c.words.includes('status') &&
        !c.words.includes('date') &&
        (c.hops > 0 ||
          !/^(int|integer|bigint|smallint)$/.test(c.type.toLowerCase()) ||
          !input.foreignKeys.some((f) => sameTable(f.table, input.table.name) && f.columns.includes(c.column))),
    )
    .sort(
      (a, b) =>
        Number(b.words.includes('code')) - Number(a.words.includes('code')) ||
        Number(a.hops > 0 && !a.isName) - Number(b.hops > 0 && !b.isName) ||
        a.hops - b.hops,
    )[0];
  if (flag) {
    const vals = distinct(flag.values);
    const map: Record<string, Scalar> = {};
    for (const v of [...vals, 'Y', 'N', '1', '0', 'true', 'false']) {
      const k = v.toLowerCase();
      if (TRUTHY.has(k)) map[v] = 'voided';
      else if (FALSY.has(k)) map[v] = 'issued';
    }
    const unknown = vals.filter((v) => map[v] === undefined);
    put(
      'status',
      { ...flag.expr, label: 'void flag', then: [{ map, default: 'issued', caseInsensitive: true }] },
      unknown.length ? 0.5 : 0.9,
      `void flag ${flag.label}${vals.length ? ` (values ${vals.slice(0, 6).join(', ')})` : ''}: true/Y/1 → voided, else issued`,
    );
  } else if (statusCand) {
    const vals = distinct(statusCand.values);
    const voids = vals.filter((v) => VOID_CODE.test(v));
    const done = vals.filter((v) => !VOID_CODE.test(v) && DONE_CODE.test(v));
    const open = vals.filter((v) => !VOID_CODE.test(v) && !DONE_CODE.test(v) && OPEN_CODE.test(v));
    const map: Record<string, Scalar> = {};
    for (const v of voids) map[v] = 'voided';
    put(
      'status',
      { ...statusCand.expr, label: 'status', then: [{ map, default: 'issued', caseInsensitive: true }] },
      voids.length ? 0.75 : 0.5,
      `status codes from ${statusCand.label}${vals.length ? ` (values ${vals.slice(0, 8).join(', ')})` : ''}: ${voids.length ? `${voids.join(', ')} → voided` : 'none reads as void'}, the others → issued`,
    );
    if (open.length) {
      const keep = [...done, ...voids];
      const rule: SkipRule = keep.length
        ? {
            unless: { value: statusCand.expr, in: keep, caseInsensitive: true },
            reason: `the ticket is not finished (status is not ${keep.join(', ')})`,
          }
        : {
            if: { value: statusCand.expr, in: open, caseInsensitive: true },
            reason: `the ticket is not finished (status ${open.join(', ')})`,
          };
      skip.push({
        rule,
        reason: `status codes ${open.join(', ')} read as not finished: such tickets are skipped until their status changes`,
      });
    }
  } else put('status', null, 0.6, 'no void flag or status column: every ticket is sent as issued');

  // Weights and the quantity.
  const gross = pick({ path: 'lines.grossWeight.value', want: [['gross', 'weight'], ['gross']], kind: 'number' });
  const tare = pick({
    path: 'lines.tareWeight.value',
    want: [['tare', 'weight'], ['tare']],
    avoid: ['truck', 'date', 'time'],
    kind: 'number',
  });
  const net = pick({ path: 'lines.netWeight.value', want: [['net', 'weight'], ['net']], avoid: ['price', 'amount'], kind: 'number' });
  const qtyCol = net
    ? undefined
    : pick({ path: 'lines.quantity.value', want: [['quantity'], ['delivered', 'quantity'], ['weight']], kind: 'number' });
  const units = planUnits(cands, net?.c ?? qtyCol?.c);
  for (const [m, path] of [
    [gross, 'grossWeight'],
    [tare, 'tareWeight'],
    [net, 'netWeight'],
  ] as const) {
    if (!m) continue;
    put(`lines.${path}.value`, m.c.expr, m.score, reasonFor(m));
    put(`lines.${path}.unit`, units.unit, units.confidence, units.reason);
  }
  const q = net ?? qtyCol;
  if (q) {
    const convert = { convertUnit: { from: units.from, to: units.quantityTo, ...(units.unitMap ? { unitMap: units.unitMap } : {}) } };
    put(
      'lines.quantity.value',
      { ...q.c.expr, label: net ? 'net weight' : 'quantity', then: [{ number: {} }, convert] },
      Math.min(q.score, units.confidence),
      `${reasonFor(q)}, converted to ${units.quantityTo === 'STN' ? 'tons' : 'tonnes'} (${units.reason})`,
    );
    put('lines.quantity.unit', null, units.confidence, `${units.quantityTo}: the unit the quantity is converted to`);
  } else {
    put('lines.quantity.value', { const: null }, 0, 'no net weight or quantity column: set lines.quantity.value in mapping.fields');
    put('lines.quantity.unit', { const: 'STN' }, 0, 'no quantity: set lines.quantity.unit with it');
  }
  put(
    'lines.weighMethod',
    { const: gross || tare ? 'scale' : 'manual' },
    gross || tare ? 0.8 : 0.4,
    gross || tare ? 'gross and tare weights are recorded: weighed on a scale' : 'no gross/tare weights: taken as manual',
  );

  // Product: code and description; category from a category column, else from codes/descriptions.
  if (!exprOf.get('lines.productCode'))
    put('lines.productCode', { const: '' }, 0, 'no product column: set lines.productCode in mapping.fields');
  if (!exprOf.get('lines.productDescription')) {
    const code = exprOf.get('lines.productCode')!;
    put('lines.productDescription', code, 0.3, 'no product description: the product code is used');
  }
  const catCand = cands
    .filter(
      (c) =>
        c.words.includes('category') ||
        ((c.words.includes('type') || c.words.includes('group') || c.words.includes('class')) && c.words.includes('product')),
    )
    .sort((a, b) => a.hops - b.hops)[0];
  if (catCand) {
    const vals = distinct(catCand.values);
    const map: Record<string, Scalar> = {};
    for (const v of vals) {
      const c = categoryOf(v) ?? (/^other$/i.test(v) ? 'other' : undefined);
      if (c) map[v] = c;
    }
    put(
      'lines.materialCategory',
      { ...catCand.expr, then: [{ map, default: 'other', caseInsensitive: true }] },
      vals.length && Object.keys(map).length === vals.length ? 0.85 : 0.5,
      `category from ${catCand.label}${
        vals.length
          ? ` (${vals
              .slice(0, 6)
              .map((v) => `${v} → ${map[v] ?? 'other'}`)
              .join(', ')})`
          : ''
      }`,
    );
  } else {
    const codeExpr = exprOf.get('lines.productCode');
    const codeCand = cands.find((c) => codeExpr && JSON.stringify(c.expr) === JSON.stringify(codeExpr));
    const descCand = cands.find((c) => JSON.stringify(c.expr) === JSON.stringify(exprOf.get('lines.productDescription')));
    const prefixes: Record<string, Scalar> = {};
    const codes = distinct(codeCand?.values ?? []);
    const descs = descCand?.values ?? [];
    codes.forEach((code, i) => {
      const p = /^[A-Za-z]+/.exec(code)?.[0];
      const cat =
        categoryOf(code) ??
        categoryOf(String(descs[(codeCand?.values ?? []).findIndex((v) => String(v).trim() === code)] ?? '')) ??
        undefined;
      void i;
      if (p && cat && (prefixes[p.toUpperCase()] === undefined || prefixes[p.toUpperCase()] === cat)) prefixes[p.toUpperCase()] = cat;
    });
    if (codeExpr && Object.keys(prefixes).length) {
      put(
        'lines.materialCategory',
        { ...codeExpr, then: [{ prefixMap: prefixes, default: 'other', caseInsensitive: true }] },
        0.6,
        `from the product code's prefix (${Object.entries(prefixes)
          .map(([k, v]) => `${k} → ${v}`)
          .join(', ')}), others → other`,
      );
    } else
      put(
        'lines.materialCategory',
        { const: 'other' },
        0.2,
        'no category column and no recognisable product codes: "other" (set lines.materialCategory)',
      );
  }

  // Temperature (asphalt): °F when loads are around 300, °C around 150.
  const temp = pick({ path: 'lines.temperature.value', want: [['temperature']], kind: 'number' });
  if (temp) {
    const m = median(numbers(temp.c.values));
    put('lines.temperature.value', temp.c.expr, temp.score, reasonFor(temp));
    put(
      'lines.temperature.unit',
      { const: m !== undefined && m < 200 ? 'CEL' : 'FAH' },
      m === undefined ? 0.4 : 0.7,
      m === undefined ? 'no sample temperatures: °F assumed' : `temperatures around ${m}: ${m < 200 ? '°C' : '°F'}`,
    );
  }

  // Trailers: every column that reads "trailer".
  const trailers = cands.filter(
    (c) => c.hops === 0 && c.words.includes('trailer') && !c.words.includes('count') && !c.words.includes('type'),
  );
  if (trailers.length) put('trailers', null, 0.7, `trailer columns ${trailers.map((t) => t.label).join(', ')}`);

  // Assemble the template in eTicket field order.
  const ticket: Record<string, unknown> = {};
  const line: Record<string, unknown> = {};
  const setPath = (holder: Record<string, unknown>, path: string, e: Expression) => {
    const [a, b] = path.split('.');
    if (b === undefined) holder[a] = e;
    else holder[a] = { ...(holder[a] as Record<string, unknown> | undefined), [b]: e };
  };
  for (const f of TICKET_FIELDS) {
    const paths = f.kind === 'leaf' ? [f.key] : f.leaves.map((l) => `${f.key}.${l.key}`);
    for (const p of paths) {
      const e = exprOf.get(p);
      if (e) setPath(ticket, p, e);
    }
  }
  // An optional party needs its name: drop an id-only party.
  for (const party of ['hauler', 'driver']) if (ticket[party] && !(ticket[party] as Record<string, unknown>).name) delete ticket[party];
  if (ticket.supplier && !(ticket.supplier as Record<string, unknown>).name) delete ticket.supplier;
  if (trailers.length) ticket.trailers = trailers.map((t) => ({ id: t.expr }));
  for (const f of LINE_FIELDS) {
    const paths = f.kind === 'leaf' ? [`lines.${f.key}`] : f.leaves.map((l) => `lines.${f.key}.${l.key}`);
    for (const p of paths) {
      const e = exprOf.get(p);
      if (e) setPath(line, p.slice('lines.'.length), e);
    }
  }
  // Report every catalog field, in order: the ones with nothing found say so.
  const order = [
    ...TICKET_FIELDS.flatMap((f) => (f.kind === 'leaf' ? [f.key] : f.leaves.map((l) => `${f.key}.${l.key}`))),
    'trailers',
    ...LINE_FIELDS.flatMap((f) => (f.kind === 'leaf' ? [`lines.${f.key}`] : f.leaves.map((l) => `lines.${f.key}.${l.key}`))),
  ];
  for (const p of order)
    if (!fields.some((f) => f.path === p))
      fields.push({ path: p, expression: null, confidence: 0, reason: 'nothing found for it (optional)' });
  fields.sort((a, b) => order.indexOf(a.path) - order.indexOf(b.path));
  const template: Template = {
    name: input.name ?? safeName(input.table.name),
    description: `Generated by Outpost from ${input.table.name}: its columns, foreign keys and ${input.samples.length} sample row${input.samples.length === 1 ? '' : 's'}. Check every field against a paper ticket.`,
    layout: 'single-table',
    ticket: ticket as Template['ticket'],
    lines: [line as Template['lines'][number]],
    ...(skip.length ? { skip: skip.map((s) => s.rule) } : {}),
  };
  return { template, fields, skip };
}

// ---------------------------------------------------------------------------------------------
// Reading the inputs from a database.

const MASTER_ROWS = 500;

async function sampleRows(source: SourceAdapter, table: string, order: string[], n: number): Promise<Row[]> {
  const d = source.dialect;
  const by = order.length ? ` ORDER BY ${order.map((c) => `${d.ident(c)} DESC`).join(', ')}` : '';
  return source.query(d.limit(`SELECT * FROM ${d.ident(table)}${by}`, n));
}

function toStarterTable(t: TableDetail, rows?: Row[]): StarterTable {
  return {
    name: t.name,
    columns: t.columns,
    primaryKey: t.primaryKey,
    unique: t.indexes.filter((i) => i.unique && !i.primary).map((i) => i.columns),
    rows,
  };
}

/**
 * Gathers generateStarter's inputs: the table, the database's foreign keys, the tables they reach
 * (masters one and two hops out, 1:1 details) with their rows when small (≤ 500), and the newest
 * sample rows of the ticket table (by `order`, default its key).
 */
export async function readStarterInputs(
  source: SourceAdapter,
  table: string,
  opts: { samples?: number; order?: string[] } = {},
): Promise<StarterInput> {
  const detail = await source.describeTable(table);
  if (!detail) throw new Error(`There is no table ${table} the login can see; check the profile's "table".`);
  const fks = source.foreignKeys ? await source.foreignKeys() : [];
  const related: Record<string, StarterTable> = {};
  const visit = async (name: string) => {
    if (related[name] || sameTable(name, detail.name)) return;
    const d = await source.describeTable(name).catch(() => null);
    if (!d) return;
    let rows: Row[] | undefined;
    if (d.rowCount !== null && d.rowCount <= MASTER_ROWS)
      rows = await source.query(source.dialect.limit(`SELECT * FROM ${source.dialect.ident(name)}`, MASTER_ROWS)).catch(() => undefined);
    related[name] = toStarterTable(d, rows);
  };
  const first = fks.filter((f) => sameTable(f.table, detail.name)).map((f) => f.referencedTable);
  for (const n of first) await visit(n);
  for (const n of first) for (const f of fks.filter((x) => sameTable(x.table, n))) await visit(f.referencedTable);
  for (const f of fks.filter((x) => sameTable(x.referencedTable, detail.name))) await visit(f.table);
  const samples = await sampleRows(source, table, opts.order ?? detail.primaryKey, opts.samples ?? 50);
  // Details' sample rows: the rows of the sampled tickets (their units, for instance).
  for (const f of fks.filter((x) => sameTable(x.referencedTable, detail.name) && x.columns.length === 1)) {
    const d = related[f.table];
    if (!d || d.rows || samples.length === 0) continue;
    const keys = samples.map((s) => s[f.referencedColumns[0]]).filter((v) => v !== null && v !== undefined);
    if (!keys.length) continue;
    const dl = source.dialect;
    d.rows = await source
      .query(
        `SELECT * FROM ${dl.ident(f.table)} WHERE ${dl.ident(f.columns[0])} IN (${keys.map((_, i) => dl.param(i + 1)).join(', ')})`,
        keys,
      )
      .catch(() => undefined);
  }
  return { table: toStarterTable(detail), foreignKeys: fks, related, samples };
}

/** The lookups a column of `table` can offer through foreign keys: the referenced table's columns (for editors). */
export function lookupsThroughForeignKeys(
  table: string,
  column: string,
  fks: ForeignKey[],
  related: Record<string, StarterTable>,
): { lookup: Expression; label: string; nameColumn: boolean }[] {
  const out: { lookup: Expression; label: string; nameColumn: boolean }[] = [];
  for (const fk of fks) {
    if (!sameTable(fk.table, table) || fk.columns.length !== 1 || fk.columns[0] !== column) continue;
    const m = related[fk.referencedTable] ?? Object.entries(related).find(([n]) => sameTable(n, fk.referencedTable))?.[1];
    const nameCol = m ? nameColumn(m) : undefined;
    for (const c of m?.columns ?? []) {
      if (c.name === fk.referencedColumns[0]) continue;
      out.push({
        lookup: lookupExpr(fk.referencedTable, { [fk.referencedColumns[0]]: { column } }, c.name),
        label: `${column} → ${shortTable(fk.referencedTable)}.${c.name}`,
        nameColumn: c.name === nameCol,
      });
    }
  }
  return out.sort((a, b) => Number(b.nameColumn) - Number(a.nameColumn));
}
