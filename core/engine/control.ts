// A local control channel to the running daemon (sync now, pause, resume) for `outpost sync` and
// friends: a Unix socket in <home>/run (mode 0600: only the daemon's user may use it) or, on
// Windows, a named pipe derived from the home folder. One JSON line in, one JSON line out.
import { createHash } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export type ControlOp = 'sync' | 'pause' | 'resume';
export interface ControlRequest {
  op: ControlOp;
  profile?: string;
}
export interface ControlReply {
  ok: boolean;
  message: string;
}

export function controlAddress(home: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\outpost-${createHash('sha256').update(home).digest('hex').slice(0, 16)}`;
  return join(home, 'run', 'control.sock');
}

export async function startControlServer(home: string, handle: (r: ControlRequest) => Promise<ControlReply>): Promise<{ close(): Promise<void> }> {
  const address = controlAddress(home);
  if (process.platform !== 'win32') rmSync(address, { force: true }); // left by a killed daemon
  const server = net.createServer((socket) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 4096) return void socket.destroy();
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
