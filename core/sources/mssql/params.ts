// Parameter binding: every bound value gets an explicit SQL Server type. ASCII text as varchar so an
// index on a varchar key is usable, other text as nvarchar, integers as int/bigint, 8-byte buffers as
// binary(8); `typed(value, 'datetime2(7)')` binds the exact column type.
import sql from 'mssql';
import { SourceError, TypedValue } from '../types.js';
import { temporalType } from './dialect.js';

export type MssqlParamType =
  | 'varchar'
  | 'nvarchar'
  | 'int'
  | 'bigint'
  | 'float'
  | 'bit'
  | 'datetime'
  | 'datetime2'
  | 'datetimeoffset'
  | 'smalldatetime'
  | 'date'
  | 'time'
  | 'binary'
  | 'varbinary'
  | 'decimal';

/** A parameter as it goes on the wire: the exact SQL Server type and the value tedious writes. */
export interface MssqlParam {
  type: MssqlParamType;
  length?: number | 'max';
  scale?: number;
  precision?: number;
  value: unknown;
}

// Each type's constructor in the mssql library, by what sizes the type in a declaration: a length
// (n or max), a fractional-seconds scale (7 when not given), precision and scale (decimal), or nothing.
// declaration() and mssqlType() read the same tables, so the two cannot disagree.
type Factory<A extends unknown[]> = (...args: A) => sql.ISqlType;
const BY_LENGTH: Partial<Record<MssqlParamType, Factory<[length: number]>>> = {
  varchar: sql.VarChar,
  nvarchar: sql.NVarChar,
  varbinary: sql.VarBinary,
  // The typings omit it, but mssql's Binary takes a length like VarBinary (binary(8) for rowversion).
  binary: sql.Binary as unknown as Factory<[length: number]>,
};
const BY_SCALE: Partial<Record<MssqlParamType, Factory<[scale: number]>>> = {
  datetime2: sql.DateTime2,
  datetimeoffset: sql.DateTimeOffset,
  time: sql.Time,
};
const BARE: Partial<Record<MssqlParamType, Factory<[]>>> = {
  int: sql.Int,
  bigint: sql.BigInt,
  float: sql.Float,
  bit: sql.Bit,
  datetime: sql.DateTime,
  smalldatetime: sql.SmallDateTime,
  date: sql.Date,
};

/** Declaration as SQL Server sees it, e.g. 'datetime2(7)', 'varchar(8000)' (tests, messages). */
export function declaration(p: MssqlParam): string {
  if (BY_LENGTH[p.type]) return `${p.type}(${p.length ?? 'max'})`;
  if (BY_SCALE[p.type]) return `${p.type}(${p.scale ?? 7})`;
  if (p.type === 'decimal') return `decimal(${p.precision ?? 18}, ${p.scale ?? 0})`;
  return p.type;
}

const TEMPORAL_TEXT = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$/;

/**
 * ISO text → a Date whose UTC fields are the wall-clock value (tedious runs with useUTC), plus the
 * sub-millisecond part as `nanosecondDelta` (the property tedious' writer reads), so datetime2(7)
 * goes on the wire exactly.
 */
export function temporalValue(text: string): Date & { nanosecondDelta?: number } {
  const m = TEMPORAL_TEXT.exec(text.trim());
  if (!m) throw new SourceError(`"${text}" is not a date/time value like 2024-05-01T13:45:00.1234567.`, 'EPARAM', 'other');
  const frac = (m[7] ?? '').padEnd(7, '0');
  const ms = Number(frac.slice(0, 3));
  const sub = Number(frac.slice(3));
  let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
  if (Number(m[1]) < 100) {
    const d = new Date(t);
    d.setUTCFullYear(Number(m[1]));
    t = d.getTime();
  }
  if (m[8] && m[8] !== 'Z') {
    const off = /([+-])(\d\d):?(\d\d)/.exec(m[8])!;
    t -= (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3])) * 60_000;
  }
  const d = new Date(t) as Date & { nanosecondDelta?: number };
  if (sub) d.nanosecondDelta = sub / 1e7;
  return d;
}

function hexBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  const s = String(v);
  if (!/^0x[0-9a-f]*$/i.test(s) || s.length % 2)
    throw new SourceError(`"${s}" is not a binary value like 0x00000000000007D1.`, 'EPARAM', 'other');
  return Buffer.from(s.slice(2), 'hex');
}

/** A value bound with a declared column type (`typed(v, 'datetime2(7)')`). */
function bindTyped(v: TypedValue): MssqlParam {
  const t = v.type.toLowerCase().trim();
  if (v.value === null || v.value === undefined) return { ...bindPlain(null), value: null };
  const tt = temporalType(t);
  if (tt) {
    const val = v.value instanceof Date ? v.value : temporalValue(String(v.value));
    if (tt.base === 'datetime' || tt.base === 'smalldatetime' || tt.base === 'date') return { type: tt.base, value: val };
    return { type: tt.base as 'datetime2' | 'datetimeoffset' | 'time', scale: tt.scale ?? 7, value: val };
  }
  const bin = /^(rowversion|timestamp|binary|varbinary)(?:\((\d+|max)\))?$/.exec(t);
  if (bin) {
    const buf = hexBuffer(v.value);
    if (bin[1] === 'varbinary') return { type: 'varbinary', length: bin[2] === 'max' || !bin[2] ? 'max' : Number(bin[2]), value: buf };
    return { type: 'binary', length: bin[1] === 'binary' && bin[2] ? Number(bin[2]) : 8, value: buf };
  }
  const str = /^(n?)(var)?char(?:\((\d+|max)\))?$/.exec(t);
  if (str) {
    const len = str[3] === 'max' ? 'max' : Number(str[3] ?? (str[1] ? 4000 : 8000));
    return { type: str[1] ? 'nvarchar' : 'varchar', length: len, value: String(v.value) };
  }
  if (/^(int|smallint|tinyint)$/.test(t)) return { type: 'int', value: Number(v.value) };
  if (t === 'bigint') return { type: 'bigint', value: String(v.value) };
  if (t === 'bit') return { type: 'bit', value: Boolean(v.value) && v.value !== '0' };
  const dec = /^(decimal|numeric)\((\d+)(?:,\s*(\d+))?\)$/.exec(t);
  if (dec) return { type: 'decimal', precision: Number(dec[2]), scale: Number(dec[3] ?? 0), value: String(v.value) };
  if (/^(float|real)$/.test(t)) return { type: 'float', value: Number(v.value) };
  return bindPlain(v.value);
}

const ASCII = /^[\x00-\x7f]*$/;

function bindPlain(v: unknown): MssqlParam {
  if (v === null || v === undefined) return { type: 'nvarchar', length: 4000, value: null };
  if (typeof v === 'string') {
    // ASCII text as varchar: compared with a varchar column no conversion lands on the column side
    // (an nvarchar parameter would make SQL Server scan a varchar index). Fixed lengths keep one plan.
    if (ASCII.test(v)) return { type: 'varchar', length: v.length <= 8000 ? 8000 : 'max', value: v };
    return { type: 'nvarchar', length: v.length <= 4000 ? 4000 : 'max', value: v };
  }
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) <= 2147483647) return { type: 'int', value: v };
    if (Number.isSafeInteger(v)) return { type: 'bigint', value: String(v) };
    return { type: 'float', value: v };
  }
  if (typeof v === 'bigint') return { type: 'bigint', value: v.toString() };
  if (typeof v === 'boolean') return { type: 'bit', value: v };
  if (Buffer.isBuffer(v))
    return v.length === 8
      ? { type: 'binary', length: 8, value: v }
      : { type: 'varbinary', length: v.length <= 8000 ? 8000 : 'max', value: v };
  if (v instanceof Date) return { type: 'datetime2', scale: 3, value: v };
  return bindPlain(String(v));
}

/** The exact SQL Server type for one bound value. */
export function bindParam(v: unknown): MssqlParam {
  return v instanceof TypedValue ? bindTyped(v) : bindPlain(v);
}

/** MssqlParam → the mssql library's type object. */
export function mssqlType(p: MssqlParam): sql.ISqlType {
  const byLength = BY_LENGTH[p.type];
  if (byLength) return byLength(p.length === 'max' || p.length === undefined ? sql.MAX : p.length);
  const byScale = BY_SCALE[p.type];
  if (byScale) return byScale(p.scale ?? 7);
  if (p.type === 'decimal') return sql.Decimal(p.precision ?? 18, p.scale ?? 0);
  // Every other type is in BARE (test/unit/sources-shared.test.ts checks each type of MssqlParamType).
  return BARE[p.type]!();
}
