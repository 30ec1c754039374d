// Pushes status snapshots and log lines to every connected page over one WebSocket. The engine may
// update the board hundreds of times a second during a backfill; pages only need the latest state,
// so sends are coalesced to at most one per interval and always carry the newest snapshot. Log
// lines are batched the same way: every line arrives, but in one message per interval.
//
// Messages: {type:'status', data: StatusSnapshot} and {type:'log', records: LogRecord[], dropped?: n}
// (the logger's own structured records: time, level, msg, profile, fields). On connect a page gets
// the status, then the recent records (or, without a log source, {type:'log', records: [], available: false}).
import { WebSocket } from 'ws';
import type { StatusFeed, StatusSnapshot } from '../core/engine/status.js';
import { scrub, type LogRecord } from '../core/log.js';

/** Where log records come from (core/log.ts LogTap). Records are already scrubbed of secrets. */
export interface LogSource {
  /** The last records, oldest first. */
  recent(): LogRecord[];
  /** Called with every new record; returns the unsubscribe function. */
  subscribe(fn: (record: LogRecord) => void): () => void;
}

/** Lines held between two sends; past this the oldest are dropped and counted (a log storm). */
const MAX_PENDING_LINES = 2_000;
/** A single line longer than this is cut: a page tailing a log has no use for megabyte lines. */
const MAX_LINE_CHARS = 4_000;

/** A client this far behind is not reading; drop it (the page reconnects and gets a fresh snapshot). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;

export class LivePush {
  private readonly clients = new Set<WebSocket>();
  private readonly alive = new WeakSet<WebSocket>();
  private readonly unsubscribe: () => void;
  private latest: StatusSnapshot;
  private timer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private statusDirty = false;
  /** Lines not yet sent, each with its sequence number. */
  private pending: Array<{ seq: number; line: LogRecord }> = [];
  private dropped = 0;
  private seq = 0;
  /** Per client: the last line sequence it already has (from the recent lines sent on connect). */
  private readonly seenSeq = new WeakMap<WebSocket, number>();
  private readonly unsubscribeLogs: (() => void) | undefined;
  private readonly statusOnly = new WeakSet<WebSocket>();

  constructor(
    private readonly feed: StatusFeed,
    private readonly minIntervalMs = 100,
    private readonly logs?: LogSource,
  ) {
    this.latest = feed.snapshot();
    this.unsubscribe = feed.subscribe((s) => {
      this.latest = s;
      this.statusDirty = true;
      this.schedule();
    });
    this.unsubscribeLogs = logs?.subscribe((line) => {
      // Nobody listening: nothing to keep (a page that connects gets the source's recent lines).
      if (this.clients.size === 0) return;
      this.seq += 1;
      this.pending.push({ seq: this.seq, line: clip(line) });
      if (this.pending.length > MAX_PENDING_LINES) {
        const over = this.pending.length - MAX_PENDING_LINES;
        this.pending.splice(0, over);
        this.dropped += over;
      }
      this.schedule();
    });
    // Drops sockets whose peer vanished without a close frame (laptop lid, killed browser).
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** `logs: false`: this client gets the status only (the reviewer link). */
  add(ws: WebSocket, opts: { logs?: boolean } = {}): void {
    const wantsLogs = opts.logs !== false;
    if (!wantsLogs) this.statusOnly.add(ws);
    this.clients.add(ws);
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => ws.terminate());
    // Nothing the page sends is acted on.
    ws.send(message(this.feed.snapshot()));
    if (this.logs && wantsLogs) {
      // The source's recent lines already include every line still pending here (the source keeps
      // a line before telling subscribers), so this client skips those at the next flush.
      this.seenSeq.set(ws, this.seq);
      ws.send(JSON.stringify({ type: 'log', records: this.logs.recent().map(clip) }));
    } else {
      // Said outright so the page can tell "no log here" from "no line yet".
      ws.send(JSON.stringify({ type: 'log', records: [], available: false }));
    }
  }

  close(): void {
    this.unsubscribe();
    this.unsubscribeLogs?.();
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
  }

  private schedule(): void {
    if (this.timer) return; // a send is already due; it will pick up this.latest
    const wait = Math.max(0, this.lastSentAt + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    this.lastSentAt = Date.now();
    const status = this.statusDirty ? message(this.latest) : null;
    const lines = this.pending;
    const dropped = this.dropped;
    this.statusDirty = false;
    this.pending = [];
    this.dropped = 0;
    if (this.clients.size === 0) return;
    const allLines = lines.length ? logMessage(lines, dropped) : null;
    for (const ws of this.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.terminate();
        continue;
      }
      if (status) ws.send(status);
      if (!allLines || this.statusOnly.has(ws)) continue;
      const seen = this.seenSeq.get(ws) ?? 0;
      if (seen < lines[0].seq) ws.send(allLines);
      else {
        const fresh = lines.filter((l) => l.seq > seen);
        if (fresh.length) ws.send(logMessage(fresh, 0));
      }
    }
  }

  private ping(): void {
    for (const ws of this.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }
}

function message(snapshot: StatusSnapshot): string {
  return JSON.stringify({ type: 'status', data: snapshot });
}

function logMessage(lines: Array<{ line: LogRecord }>, dropped: number): string {
  return JSON.stringify({ type: 'log', records: lines.map((l) => l.line), ...(dropped ? { dropped } : {}) });
}

/** Bounded, and scrubbed once more of the secrets the process knows (the logger already did). */
function clip(record: LogRecord): LogRecord {
  const s = scrub(String(record.msg ?? ''));
  const msg = s.length > MAX_LINE_CHARS ? `${s.slice(0, MAX_LINE_CHARS)}… (${s.length} characters)` : s;
  const out: LogRecord = { time: String(record.time), level: record.level, msg };
  if (typeof record.profile === 'string') out.profile = scrub(record.profile);
  return out;
}
