// A local control channel to the running daemon (status, sync now, pause, resume, reload, resend,
// reset, reconcile) for `outpost sync` and friends: a Unix socket in <home>/run (mode 0600: only the
// daemon's user may use it) or, on Windows, a named pipe derived from the home folder. One JSON line
// in, one JSON line out. `controlHandler` maps requests onto the daemon's actions.
import { createHash } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

import type { ReconcileReport } from '../state/reconcile.js';
import type { ResendSelector } from './resend.js';

export type ControlOp = 'status' | 'sync' | 'pause' | 'resume' | 'reload' | 'resend' | 'reset' | 'reconcile';
export interface ControlRequest {
  op: ControlOp;
  profile?: string;
  /** resend: what to queue again. */
  select?: ResendSelector;
  /** reset: rewind to this cursor (a date/time in the change column's form); absent = the beginning. */
  from?: string;
  /** reconcile: only the last N days. */
  days?: number;
}
export interface ControlReply {
  ok: boolean;
  message: string;
  /** reconcile: the report; status: the live status snapshot (also when the disk is too full for run/status.json). */
  data?: unknown;
}

/** The daemon actions the control channel reaches (Daemon implements them). */
export interface ControlTarget {
  readonly profiles: Array<{ name: string }>;
  readonly board: { snapshot(): unknown };
  syncNow(name: string): void;
  isPaused(name: string): boolean;
  pause(name: string): void;
  resume(name: string): void;
  reload(why?: string): Promise<{ ok: boolean; message: string }>;
  resend(name: string, sel: ResendSelector): { message: string };
  resetProfile(name: string, from?: string): Promise<{ message: string }>;
  reconcile(name: string, opts?: { days?: number }): Promise<ReconcileReport>;
}

/** Maps one control request onto the daemon's actions. */
export function controlHandler(daemon: ControlTarget): (req: ControlRequest) => Promise<ControlReply> {
  return async (req) => {
    const names = daemon.profiles.map((p) => p.name);
    if (req.op === 'status') return { ok: true, message: 'status', data: daemon.board.snapshot() };
    if (req.op === 'reload') return daemon.reload('outpost reload');
    if (req.profile !== undefined && !names.includes(req.profile)) {
      return { ok: false, message: `The daemon runs no profile "${req.profile}"; it runs: ${names.join(', ') || 'none'}.` };
    }
    const one = (): string => {
      if (!req.profile) throw new Error(`Say which profile (--profile NAME); the daemon runs: ${names.join(', ')}.`);
      return req.profile;
    };
    switch (req.op) {
      case 'sync':
      case 'pause':
      case 'resume': {
        const targets = req.profile ? [req.profile] : names;
        for (const p of targets) {
          if (req.op === 'sync') daemon.syncNow(p);
          else if (req.op === 'pause') daemon.pause(p);
          else daemon.resume(p);
        }
        const paused = targets.filter((p) => daemon.isPaused(p));
        const text =
          req.op === 'sync'
            ? `Sync requested for ${targets.join(', ')}${paused.length ? ` (${paused.join(', ')} paused: one manual pass, then ${paused.length === 1 ? 'it stays' : 'they stay'} paused)` : ''}`
            : req.op === 'pause'
              ? `Paused ${targets.join(', ')} (kept across restarts until "outpost resume")`
              : `Resumed ${targets.join(', ')}`;
        return { ok: true, message: `${text}; watch it with "outpost status".` };
      }
      case 'resend':
        return { ok: true, ...daemon.resend(one(), req.select ?? {}) };
      case 'reset':
        return { ok: true, ...(await daemon.resetProfile(one(), req.from)) };
      case 'reconcile': {
        const report = await daemon.reconcile(one(), { days: req.days });
        return { ok: true, message: report.balanced ? 'balanced' : `${report.totals.gaps} gap(s)`, data: report };
      }
      default:
        return { ok: false, message: `unknown request "${String(req.op)}"` };
    }
  };
}

export function controlAddress(home: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\outpost-${createHash('sha256').update(home).digest('hex').slice(0, 16)}`;
  return join(home, 'run', 'control.sock');
}

export async function startControlServer(
  home: string,
  handle: (r: ControlRequest) => Promise<ControlReply>,
): Promise<{ close(): Promise<void> }> {
  const address = controlAddress(home);
  if (process.platform !== 'win32') rmSync(address, { force: true }); // left by a killed daemon
  const server = net.createServer((socket) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 256 * 1024) return void socket.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let req: ControlRequest;
      try {
        req = JSON.parse(buf.slice(0, nl)) as ControlRequest;
      } catch {
        return void socket.end(JSON.stringify({ ok: false, message: 'bad request' }) + '\n');
      }
      handle(req)
        .catch((e: unknown) => ({ ok: false, message: (e as Error).message }))
        .then((reply) => socket.end(JSON.stringify(reply) + '\n'));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => resolve());
  });
  if (process.platform !== 'win32') chmodSync(address, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (process.platform !== 'win32') rmSync(address, { force: true });
      }),
  };
}

/** Sends one request to the daemon; rejects when no daemon listens. */
export function sendControl(home: string, req: ControlRequest, timeoutMs = 5000): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(controlAddress(home));
    let buf = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('The daemon did not answer in time.'));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(req) + '\n'));
    socket.on('data', (c: string) => (buf += c));
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf) as ControlReply);
      } catch {
        reject(new Error('The daemon sent an unreadable answer.'));
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
