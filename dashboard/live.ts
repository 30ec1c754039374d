// Pushes status snapshots to every connected page. The engine may update the board hundreds of
// times a second during a backfill; pages only need the latest state, so sends are coalesced to at
// most one per interval and always carry the newest snapshot.
import { WebSocket } from 'ws';
import type { StatusFeed, StatusSnapshot } from '../core/engine/status.js';

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

  constructor(
    private readonly feed: StatusFeed,
    private readonly minIntervalMs = 100,
  ) {
    this.latest = feed.snapshot();
    this.unsubscribe = feed.subscribe((s) => {
      this.latest = s;
      this.schedule();
    });
    // Drops sockets whose peer vanished without a close frame (laptop lid, killed browser).
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  add(ws: WebSocket): void {
    this.clients.add(ws);
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => ws.terminate());
    // The page ignores anything it receives; nothing it sends is acted on.
    ws.send(message(this.feed.snapshot()));
  }

  close(): void {
    this.unsubscribe();
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
    if (this.clients.size === 0) return;
    const text = message(this.latest);
    for (const ws of this.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
      else ws.send(text);
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
