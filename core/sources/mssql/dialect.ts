// The SQL Server dialect: bracket-quoted identifiers, @pN placeholders, TOP (n), and the casts that
// compare a cursor column with a parameter of its own exact temporal type.
import { splitIdent, type Dialect } from '../types.js';

/** datetime/datetime2/… with its scale, validated (only catalog type names get into a CAST). */
export function temporalType(columnType: string): { base: string; scale: number | null } | null {
  const m = /^(datetime2|datetimeoffset|time|datetime|smalldatetime|date)\s*(?:\((\d)\))?$/.exec(columnType.toLowerCase().trim());
  return m ? { base: m[1], scale: m[2] === undefined ? null : Number(m[2]) } : null;
}

export const mssqlDialect: Dialect = {
  ident: (name) =>
    splitIdent(name)
      .map((p) => `[${p}]`)
      .join('.'),
  param: (i) => `@p${Math.trunc(i)}`,
  limit: (stmt, n) => {
    const m = /^\s*SELECT\s+(DISTINCT\s+)?/i.exec(stmt);
    if (!m) throw new Error('limit() needs a SELECT statement');
    return `SELECT ${m[1] ?? ''}TOP (${Math.trunc(n)}) ${stmt.slice(m[0].length)}`;
  },
  // Text, truncated to milliseconds: converts to both datetime (3 digits at most) and datetime2.
  now: () => 'CONVERT(varchar(23), SYSDATETIME(), 126)',
  // A plain placeholder is cast to datetime2(7) first (DATEADD on text would try datetime and fail
  // on 7 fractional digits); a typed one keeps its type, so the column is compared with its own type.
  minusSeconds: (p, s) => `DATEADD(second, -${Math.trunc(s)}, ${/^@p\d+$/.test(p) ? `CAST(${p} AS datetime2(7))` : p})`,
  typedParam: (p, columnType) => {
    const t = columnType.toLowerCase().trim();
    const tt = temporalType(t);
    if (tt) return `CAST(${p} AS ${tt.base}${tt.scale === null ? '' : `(${tt.scale})`})`;
    if (t === 'rowversion' || t === 'timestamp' || t === 'binary(8)') return `CONVERT(binary(8), ${p}, 1)`;
    return p;
  },
  nowFor: (columnType) => {
    const tt = temporalType(columnType);
    if (!tt) return mssqlDialect.now();
    switch (tt.base) {
      case 'datetime':
        return 'CONVERT(varchar(23), GETDATE(), 126)';
      case 'smalldatetime':
        return 'CONVERT(varchar(19), CAST(GETDATE() AS smalldatetime), 126)';
      case 'date':
        return 'CONVERT(varchar(10), CAST(GETDATE() AS date), 126)';
      case 'datetimeoffset':
        return `CONVERT(varchar(40), SYSDATETIMEOFFSET(), 126)`;
      default:
        return `CONVERT(varchar(33), CAST(SYSDATETIME() AS ${tt.base}(${tt.scale ?? 7})), 126)`;
    }
  },
};
