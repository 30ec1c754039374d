// changeTracking mode (SQL Server Change Tracking): the database records which keys changed at which
// commit version. A pass reads CHANGETABLE(CHANGES t, @last) joined back to the table, bounded above
// by the current version read at the start of the pass (versions are assigned at commit, so nothing
// at or below it can still appear). If the stored version is older than
// CHANGE_TRACKING_MIN_VALID_VERSION() — the database has cleaned up the changes Outpost has not
// read yet — the reader does a full resync of the table (said loudly) instead of skipping anything.
// Needs VIEW CHANGE TRACKING on the table. Deleted rows have no data to send and are passed over.
import type { Watermark } from '../state/store.js';
import type { SourceAdapter } from '../sources/types.js';
import { keyAfter, keyParams } from './timestamp.js';
import type { ChangeOptions, ChangeReader, Page } from './types.js';

export class ChangeTrackingReader implements ChangeReader {
  constructor(private readonly opts: ChangeOptions) {}

  /** `SELECT` of the current and minimum valid versions; exported text for tests. */
  versionsSql(src: SourceAdapter): string {
    const d = src.dialect;
    return `SELECT CHANGE_TRACKING_CURRENT_VERSION() AS cur, CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(${d.param(1)})) AS minv`;
  }

  /** One page of changes after `(version, key)` up to `upper`. */
  changesSql(
    src: SourceAdapter,
    after: { version: string; key: unknown[] } | null,
    last: string,
    upper: string,
    pageSize: number,
  ): { sql: string; params: unknown[] } {
    const d = src.dialect;
    const keys = this.opts.key;
    const join = keys.map((k) => `t.${d.ident(k)} = ct.${d.ident(k)}`).join(' AND ');
    const ctKeys = keys.map((k) => `ct.${d.ident(k)}`);
    const order = ['ct.SYS_CHANGE_VERSION', ...ctKeys].join(', ');
    const params: unknown[] = [last, upper];
    let where = `ct.SYS_CHANGE_VERSION <= ${d.param(2)}`;
    if (after) {
      const kp = keyParams(after.key);
      const ka = keyAfter(src, keys, 5);
      where +=
        ` AND (ct.SYS_CHANGE_VERSION > ${d.param(3)} OR (ct.SYS_CHANGE_VERSION = ${d.param(4)} AND ` +
        `${prefixKeys(
          ka,
          keys.map((k) => d.ident(k)),
        )}))`;
      params.push(after.version, after.version, ...kp);
    }
    const sql = d.limit(
      `SELECT ct.SYS_CHANGE_VERSION AS __outpost_ct_version, ct.SYS_CHANGE_OPERATION AS __outpost_ct_op, ${keys.map((k) => `ct.${d.ident(k)} AS ${d.ident('__outpost_ct_' + k)}`).join(', ')}, t.* ` +
        `FROM CHANGETABLE(CHANGES ${d.ident(this.opts.table)}, ${d.param(1)}) AS ct LEFT JOIN ${d.ident(this.opts.table)} AS t ON ${join} ` +
        `WHERE ${where} ORDER BY ${order}`,
      pageSize,
    );
    return { sql, params };
  }

  /** A page of the whole table by key (the full resync). */
  resyncSql(src: SourceAdapter, after: unknown[] | null, pageSize: number): { sql: string; params: unknown[] } {
    const d = src.dialect;
    const order = this.opts.key.map((k) => d.ident(k)).join(', ');
    const where = after ? ` WHERE ${keyAfter(src, this.opts.key, 1)}` : '';
    return {
      sql: d.limit(`SELECT * FROM ${d.ident(this.opts.table)}${where} ORDER BY ${order}`, pageSize),
      params: after ? keyParams(after) : [],
    };
  }

  async pollSql(src: SourceAdapter, wm: Watermark, pageSize: number) {
    return this.changesSql(src, null, wm.cursor, wm.cursor, pageSize);
  }

  private async versions(src: SourceAdapter): Promise<{ cur: string; minv: string | null }> {
    const rows = await src.query(this.versionsSql(src), [this.opts.table]);
    const r = rows[0] ?? {};
    if (r.cur === null || r.cur === undefined) {
      throw new Error(
        `Change Tracking is not enabled on the database (CHANGE_TRACKING_CURRENT_VERSION() is NULL); enable it or choose another change mode.`,
      );
    }
    if (r.minv === null || r.minv === undefined) {
      throw new Error(
        `Change Tracking is not enabled on ${this.opts.table}, or the login lacks VIEW CHANGE TRACKING on it; ask the DBA to grant it.`,
      );
    }
    return { cur: String(r.cur), minv: String(r.minv) };
  }

  async *pages(src: SourceAdapter, wm: Watermark | null, pageSize: number): AsyncGenerator<Page> {
    const { cur, minv } = await this.versions(src);
    const last = wm?.cursor ?? null;
    if (last === null || BigInt(last) < BigInt(minv ?? '0')) {
      if (last !== null) {
        this.opts.warn?.(
          `Change Tracking on ${this.opts.table}: the last synced version ${last} is older than the oldest change the database still keeps ` +
            `(${minv}); doing a FULL RESYNC of the table so nothing is skipped. Raise the database's CHANGE_RETENTION to avoid this.`,
        );
      }
      // Full read by key; the version read before it starts becomes the watermark at the end, so any
      // change committed during the resync is read again by the next pass.
      let after: unknown[] | null = null;
      for (;;) {
        const { sql, params } = this.resyncSql(src, after, pageSize);
        const rows = await src.query(sql, params);
        const done = rows.length < pageSize;
        if (rows.length) after = this.opts.key.map((k) => rows[rows.length - 1][k]);
        yield { rows, next: done ? { cursor: cur, key: [] } : null };
        if (done) return;
      }
    }
    // A watermark written mid-pass is (base version, [version, ...key]): resume inside that pass.
    let after: { version: string; key: unknown[] } | null =
      wm && wm.key.length ? { version: String(wm.key[0]), key: wm.key.slice(1) } : null;
    for (;;) {
      const { sql, params } = this.changesSql(src, after, last, cur, pageSize);
      const raw = await src.query(sql, params);
      const done = raw.length < pageSize;
      if (raw.length) {
        const l = raw[raw.length - 1];
        after = { version: String(l.__outpost_ct_version), key: this.opts.key.map((k) => l['__outpost_ct_' + k]) };
      }
      // A deleted row (no data joined back) has nothing to send.
      const rows = raw.filter((r) => r.__outpost_ct_op !== 'D' && this.opts.key.every((k) => r[k] !== null && r[k] !== undefined));
      // Mid-pass the tuple (version, key) is the position; at the end the pass's upper version.
      yield { rows, next: done ? { cursor: cur, key: [] } : after ? { cursor: last, key: [after.version, ...after.key] } : null };
      if (done) return;
    }
  }

  async backlog(src: SourceAdapter, wm: Watermark | null) {
    if (!wm) return { count: null, oldestAgeSeconds: null };
    const d = src.dialect;
    const rows = await src.query(`SELECT COUNT(*) AS n FROM CHANGETABLE(CHANGES ${d.ident(this.opts.table)}, ${d.param(1)}) AS ct`, [
      wm.cursor,
    ]);
    return { count: Number(rows[0]?.n ?? 0), oldestAgeSeconds: null };
  }
}

/** Prefix every quoted key identifier in a keyAfter expression with `ct.`. */
function prefixKeys(expr: string, quoted: string[]): string {
  let out = expr;
  for (const q of quoted) out = out.split(`${q} `).join(`ct.${q} `);
  return out;
}
