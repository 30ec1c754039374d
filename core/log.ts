// The daemon's log: pino records (one JSON object per line) written to a size-rotated file in
// <home>/logs, pretty text on a terminal, and the same records to the dashboard's live tail (LogTap).
//
// - Levels: debug < info < warn < error (default info; config `logs.level` or OUTPOST_LOG_LEVEL).
// - Disk budget: the current file plus `files` rotated ones of at most `maxFileBytes` each — by
//   default 10 MiB × (1 + 5) = 60 MiB (config `logs.maxFileMiB`, `logs.files`). Rotation renames
//   outpost.log → outpost.log.1 → … and drops the oldest; nothing else ever grows.
// - Secrets: every message and string field passes through `scrub` with the secret values this
//   process knows (registerSecret), and pino's own redaction censors secret-named keys (token,
//   password, authorization, …) wherever they appear in a record. Nothing a secret is in reaches a
//   file, the terminal or the dashboard.
// - A failing write (disk full, permissions) never throws: the record is counted as dropped and the
//   failure is reported once through `onWriteError` (the daemon shows it as its `local disk full`
//   state); logging resumes by itself when writes succeed again.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino } from 'pino';
import { scrub } from './scrub.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  (level: Level, message: string, fields?: Record<string, unknown>): void;
}

/** One log record as written to the file (a JSON line) and pushed to the dashboard. */
export interface LogRecord {
  time: string;
  level: Level;
  msg: string;
  pid?: number;
  profile?: string;
  [field: string]: unknown;
}

export const DEFAULT_LOG_MAX_FILE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_FILES = 5;

export { registerSecret, scrub } from './scrub.js';

/** Keys whose values are censored by pino's redaction wherever they appear in a record. */
export const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'authorization',
  'apiKey',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.apiKey',
  'headers.authorization',
  'headers.Authorization',
  'api.token',
  'source.password',
];

export function isLevel(s: string | undefined): s is Level {
  return s !== undefined && (LEVELS as readonly string[]).includes(s);
}

export function levelRank(l: string): number {
  const i = (LEVELS as readonly string[]).indexOf(l);
  return i < 0 ? -1 : i;
}

/**
 * A log file bounded in size: when the next record would take it past `maxBytes`, it is renamed to
 * `.1` (the older ones shift up, the one past `keep` is removed) and a new file is started. Files
 * are created 0600. Writes are synchronous, so a record is on disk (in the OS cache) when log()
 * returns and nothing is lost at exit.
 */
export class RotatingFile {
  private fd: number | null = null;
  private size = 0;
  /** The error code of the last failed write, null while writes succeed. */
  failure: string | null = null;
  dropped = 0;

  constructor(
    readonly file: string,
    readonly maxBytes = DEFAULT_LOG_MAX_FILE_BYTES,
    readonly keep = DEFAULT_LOG_FILES,
    private readonly onError?: (code: string | null, message: string) => void,
  ) {}

  private open(): number {
    if (this.fd !== null) return this.fd;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const fd = openSync(this.file, 'a', 0o600);
    try {
      chmodSync(this.file, 0o600); // a file left by an older release may be 0644
    } catch {
      /* not ours to fix */
    }
    this.size = fstatSync(fd).size;
    this.fd = fd;
    return fd;
  }

  private rotate(): void {
    this.closeFd();
    rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch {
        /* that one does not exist yet */
      }
    }
    if (this.keep > 0) renameSync(this.file, `${this.file}.1`);
    else rmSync(this.file, { force: true });
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    try {
      this.open();
      if (this.size > 0 && this.size + bytes > this.maxBytes) {
        this.rotate();
        this.open();
      }
      writeSync(this.fd!, line);
      this.size += bytes;
      if (this.failure !== null) {
        this.failure = null;
        this.onError?.(null, `writing the log ${this.file} works again (${this.dropped} record(s) were lost)`);
        this.dropped = 0;
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      this.dropped++;
      this.closeFd();
      if (this.failure !== code) {
        this.failure = code;
        this.onError?.(code, `cannot write the log ${this.file} (${code})`);
      }
    }
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = null;
  }

  close(): void {
    this.closeFd();
  }
}

/** A record as one readable line: `12:04:05.123 WARN  [plant-12] message key=value`. */
export function formatRecord(r: LogRecord, opts: { color?: boolean; date?: boolean } = {}): string {
  const t = typeof r.time === 'string' ? r.time : new Date().toISOString();
  const when = opts.date ? t.replace('T', ' ').replace('Z', '') : t.slice(11, 23);
  const level = String(r.level ?? 'info')
    .toUpperCase()
    .padEnd(5);
  const paint = (code: number, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lv =
    r.level === 'error'
      ? paint(31, level)
      : r.level === 'warn'
        ? paint(33, level)
        : r.level === 'debug'
          ? paint(2, level)
          : paint(32, level);
  const extra = Object.entries(r)
    .filter(([k]) => !['time', 'level', 'msg', 'pid', 'profile'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${paint(2, when)} ${lv} ${r.profile ? `[${r.profile}] ` : ''}${r.msg ?? ''}${extra ? ' ' + paint(2, extra) : ''}`;
}

/** Parses one line of the log file; null for a line that is not a record (a crash trace, say). */
export function parseRecord(line: string): LogRecord | null {
  if (!line.startsWith('{')) return null;
  try {
    const r = JSON.parse(line) as LogRecord;
    return r && typeof r === 'object' && typeof r.msg === 'string' && isLevel(r.level) ? r : null;
  } catch {
    return null;
  }
}

export interface LoggerOptions {
  /** The log file (rotated); omit for no file. */
  file?: string;
  maxFileBytes?: number;
  files?: number;
  level?: Level;
  /** stderr: `pretty` text (a terminal), `text` (no colour: systemd's journal), `json`, or nothing. */
  console?: 'pretty' | 'text' | 'json' | false;
  /** The dashboard's live tail. */
  tap?: LogTap;
  /** A log write failed (code) or works again (null). */
  onWriteError?: (code: string | null, message: string) => void;
  /** Where console output goes (tests); default process.stderr. */
  stderr?: { write(s: string): unknown };
}

export interface ClosableLogger extends Logger {
  readonly file: RotatingFile | null;
  close(): void;
}

function scrubFields(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = typeof v === 'string' ? scrub(v) : v;
  return out;
}

/** The process's logger (see the header). */
export function createLogger(opts: LoggerOptions = {}): ClosableLogger {
  const file = opts.file
    ? new RotatingFile(opts.file, opts.maxFileBytes ?? DEFAULT_LOG_MAX_FILE_BYTES, opts.files ?? DEFAULT_LOG_FILES, opts.onWriteError)
    : null;
  const stderr = opts.stderr ?? process.stderr;
  const mode = opts.console ?? false;
  const sink = {
    write(line: string): void {
      file?.write(line);
      if (!mode && !opts.tap) return;
      const record = parseRecord(line.trimEnd());
      if (!record) return;
      if (mode === 'json') stderr.write(line);
      else if (mode) stderr.write(formatRecord(record, { color: mode === 'pretty' }) + '\n');
      opts.tap?.push(record);
    },
  };
  const p = pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }), log: scrubFields },
      redact: { paths: REDACT_PATHS, censor: '••••' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    sink,
  );
  const log = ((level: Level, message: string, fields?: Record<string, unknown>) => {
    // "[profile] message" (the engine's convention) becomes a profile field.
    const m = /^\[([A-Za-z0-9][A-Za-z0-9._-]{0,63})\] ([\s\S]*)$/.exec(message);
    const f = m ? { profile: m[1], ...fields } : fields;
    const msg = m ? m[2] : message;
    if (f) p[level](f, msg);
    else p[level](msg);
  }) as ClosableLogger;
  Object.defineProperty(log, 'file', { value: file });
  log.close = () => file?.close();
  return log;
}

export const silentLogger: Logger = () => {};

/** Keeps the last records of the log and passes new ones on (the dashboard's live log tail). */
export class LogTap {
  private readonly records: LogRecord[] = [];
  private readonly listeners = new Set<(r: LogRecord) => void>();

  constructor(private readonly keep = 500) {}

  push(record: LogRecord): void {
    this.records.push(record);
    if (this.records.length > this.keep) this.records.splice(0, this.records.length - this.keep);
    for (const fn of this.listeners) fn(record);
  }

  recent(): LogRecord[] {
    return [...this.records];
  }

  subscribe(fn: (r: LogRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
