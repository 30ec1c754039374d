// The page's one WebSocket: status snapshots and live log lines, reconnected with capped
// exponential backoff and jitter. No polling anywhere: the pages react to what arrives here.
import { useEffect, useState } from 'react';
import type { StatusSnapshot } from '../../core/engine/status.js';

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'signed out';
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'other';

export interface LogEntry {
  seq: number;
  /** ISO time from the line, when it has one. */
  time: string | null;
  level: Level;
  message: string;
  /** The line as the logger wrote it. */
  text: string;
}

export interface LiveState {
  snapshot: StatusSnapshot | null;
  connection: Connection;
  logs: LogEntry[];
  /** null until the server said; false when this process has no log tail. */
  logsAvailable: boolean | null;
}

/** Lines kept in the page; older ones scroll off (the service's log file has everything). */
export const MAX_LOG_LINES = 2_000;

let nextSeq = 1;
/** One structured record of the daemon's log (core/log.ts LogRecord: time, level, msg, profile). */
export function fromRecord(r: unknown): LogEntry {
  const seq = nextSeq++;
  const o = (r && typeof r === 'object' ? r : {}) as { time?: unknown; level?: unknown; msg?: unknown; profile?: unknown };
  const level: Level = o.level === 'debug' || o.level === 'info' || o.level === 'warn' || o.level === 'error' ? o.level : 'other';
  const time = typeof o.time === 'string' ? o.time : null;
  const message = `${typeof o.profile === 'string' ? `[${o.profile}] ` : ''}${typeof o.msg === 'string' ? o.msg : String(o.msg ?? '')}`;
  return { seq, time, level, message, text: `${time ?? ''} ${level} ${message}`.trim() };
}

/** A line of text the page adds itself (not from the log). */
export function noteLine(text: string): LogEntry {
  return { seq: nextSeq++, time: null, level: 'other', message: text, text };
}

export function useLive(): LiveState {
  const [snapshot, setSnapshot] = useState<StatusSnapshot | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [logs, setLogs] = useState<LogEntry[]>([]);
  const [logsAvailable, setLogsAvailable] = useState<boolean | null>(null);

  useEffect(() => {
    let ws: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;

    const open = () => {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const socket = new WebSocket(`${scheme}://${location.host}/ws`);
      ws = socket;
      // The first log message of a connection holds the server's recent lines: it replaces what
      // the page had (after a reconnect that would otherwise show lines twice).
      let firstLog = true;
      socket.onopen = () => {
        failures = 0;
        setConnection('live');
      };
      socket.onmessage = (event) => {
        let msg: { type?: string; data?: StatusSnapshot; records?: unknown; dropped?: unknown; available?: unknown };
        try {
          msg = JSON.parse(String(event.data));
        } catch {
          return; // not ours to interpret; the next message replaces everything anyway
        }
        if (msg.type === 'status' && msg.data) setSnapshot(msg.data);
        if (msg.type === 'log' && Array.isArray(msg.records)) {
          const fresh = msg.records.map(fromRecord);
          const dropped = typeof msg.dropped === 'number' && msg.dropped > 0 ? msg.dropped : 0;
          if (dropped) fresh.unshift(noteLine(`… ${dropped} lines skipped: the log was faster than the page`));
          const replace = firstLog;
          firstLog = false;
          setLogsAvailable(msg.available !== false);
          setLogs((prev) => {
            const next = replace ? fresh : prev.concat(fresh);
            return next.length > MAX_LOG_LINES ? next.slice(next.length - MAX_LOG_LINES) : next;
          });
        }
      };
      socket.onclose = () => {
        if (ws === socket) ws = null;
        if (!stopped) void retry();
      };
    };

    const retry = async () => {
      setConnection('reconnecting');
      failures += 1;
      // A refused upgrade looks like any other failure from here: after a couple of tries, ask
      // whether our session still exists (a restarted dashboard has a new secret).
      if (failures >= 2) {
        const res = await fetch('/api/session').catch(() => null);
        if (stopped) return;
        if (res?.status === 401) {
          setConnection('signed out');
          return;
        }
      }
      const base = Math.min(5_000, 500 * 2 ** (failures - 1));
      timer = setTimeout(open, base / 2 + Math.random() * (base / 2));
    };

    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      ws?.close();
    };
  }, []);

  return { snapshot, connection, logs, logsAvailable };
}
