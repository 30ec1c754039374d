// The scale house at work: a new ticket every few seconds, and now and then an edit (reweigh, truck
// corrected) or a void — the changes the daemon must pick up.
import type Database from 'better-sqlite3';
import { insertTicket, makeTicket, nextTicketNo, openPlant, prng } from './plant.js';

export interface SimulatorOptions {
  file: string;
  everyMs?: number;
  seed?: number;
  onEvent?: (e: { kind: 'insert' | 'edit' | 'void'; ticketNo: string }) => void;
}

export class ScaleHouseSimulator {
  private db: Database.Database | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly rand: () => number;

  constructor(private readonly opts: SimulatorOptions) {
    this.rand = prng(opts.seed ?? Date.now() % 100000);
  }

  start(): void {
    this.db = openPlant(this.opts.file);
    this.timer = setInterval(() => {
      try {
        this.step();
      } catch {
        // A locked database now and then is normal for a scale house; try again next tick.
      }
    }, this.opts.everyMs ?? 4000);
  }

  /** One event; exposed for tests. */
  step(): void {
    const db = this.db ?? openPlant(this.opts.file);
    this.db = db;
    const r = this.rand();
    if (r < 0.12) {
      const t = db.prepare(`SELECT TicketID, TicketNo FROM Tickets WHERE VoidFlag = 'N' ORDER BY TicketID DESC LIMIT 10`).all() as Array<{
        TicketID: number;
        TicketNo: string;
      }>;
      if (t.length) {
        const victim = t[Math.floor(this.rand() * t.length)];
        if (r < 0.03) {
          db.prepare(`UPDATE Tickets SET VoidFlag = 'Y', VoidReason = 'Voided at scale house' WHERE TicketID = ?`).run(victim.TicketID);
          this.opts.onEvent?.({ kind: 'void', ticketNo: victim.TicketNo.trim() });
        } else {
          db.prepare(`UPDATE Tickets SET Net = ROUND(Net * 0.99, 2), Gross = ROUND(Gross - Net * 0.01, 2) WHERE TicketID = ?`).run(
            victim.TicketID,
          );
          this.opts.onEvent?.({ kind: 'edit', ticketNo: victim.TicketNo.trim() });
        }
        return;
      }
    }
    const t = makeTicket(this.rand, nextTicketNo(db), new Date());
    insertTicket(db, t);
    this.opts.onEvent?.({ kind: 'insert', ticketNo: t.TicketNo.trim() });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.db?.close();
    this.db = null;
  }
}
