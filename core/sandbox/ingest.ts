// The receiver's rules for one batch (docs/design.md §2.3): validate each ticket on its own, upsert by
// (account, ticketId), and never go back to an older revision. Pure logic over the store, no HTTP.
import { z } from 'zod';
import { eticketSchema } from '../mapping/eticket.js';
import { formatIssues } from '../zod-issues.js';
import { targetIdFor, type SandboxStore, type TicketAction } from './store.js';

export const batchBodySchema = z.strictObject({
  connector: z.strictObject({ id: z.string().min(1), version: z.string(), profile: z.string() }),
  tickets: z.array(z.unknown()),
});
export type BatchBody = z.infer<typeof batchBodySchema>;

export const heartbeatBodySchema = z.object({
  connectorId: z.string().min(1),
  version: z.string(),
  profiles: z.array(
    z.object({
      name: z.string().min(1),
      state: z.string(),
      lagSeconds: z.number().nullable().optional(),
      backlog: z.number().nullable().optional(),
      lastSuccessAt: z.string().nullable().optional(),
    }),
  ),
});

export interface BatchResult {
  ticketId: string;
  revision: string;
  targetId: string;
  action: TicketAction;
  error?: string;
}

export interface BatchCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  duplicates: number;
  staleRefused: number;
}

/** `lines[0].quantity.unit` style path, or `(ticket)` for the ticket itself. */
/** A plain reason naming the field(s), short enough to show in a run report. */
export function describeIssues(error: z.ZodError, max = 3): string {
  return formatIssues(error.issues, { max, root: '(ticket)' });
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * Apply a batch for one account in a single transaction and return results in input order.
 * A stale ticket (both sides carry `source.recordModifiedAt` and the incoming one sorts lower) is
 * answered `unchanged` and the stored revision is kept.
 */
export function applyBatch(
  store: SandboxStore,
  accountId: string,
  idempotencyKey: string,
  tickets: unknown[],
  now: string,
): { results: BatchResult[]; counts: BatchCounts } {
  const counts: BatchCounts = { created: 0, updated: 0, unchanged: 0, rejected: 0, duplicates: 0, staleRefused: 0 };
  const results = store.transaction(() =>
    tickets.map((raw): BatchResult => {
      const parsed = eticketSchema.safeParse(raw);
      if (!parsed.success) {
        const obj = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
        const ticketId = str(obj.ticketId);
        const revision = str(obj.revision);
        const known = ticketId ? store.getTicket(accountId, ticketId) : undefined;
        counts.rejected++;
        store.logDelivery(now, accountId, ticketId, revision, 'rejected', idempotencyKey);
        return { ticketId, revision, targetId: known?.targetId ?? '', action: 'rejected', error: describeIssues(parsed.error) };
      }
      const t = parsed.data;
      const rma = t.source?.recordModifiedAt ?? null;
      const current = store.getTicket(accountId, t.ticketId);
      let action: TicketAction;
      let targetId: string;
      if (!current) {
        targetId = targetIdFor(accountId, t.ticketId);
        store.insertTicket(accountId, { ticketId: t.ticketId, revision: t.revision, targetId, json: JSON.stringify(t), at: now, rma });
        action = 'created';
        counts.created++;
      } else if (current.revision === t.revision) {
        targetId = current.targetId;
        action = 'unchanged';
        counts.unchanged++;
        counts.duplicates++;
      } else if (rma !== null && current.recordModifiedAt !== null && rma < current.recordModifiedAt) {
        targetId = current.targetId;
        action = 'unchanged';
        counts.unchanged++;
        counts.staleRefused++;
      } else {
        targetId = current.targetId;
        store.updateTicket(accountId, { ticketId: t.ticketId, revision: t.revision, json: JSON.stringify(t), at: now, rma });
        action = 'updated';
        counts.updated++;
      }
      store.logDelivery(now, accountId, t.ticketId, t.revision, action, idempotencyKey);
      return { ticketId: t.ticketId, revision: t.revision, targetId, action };
    }),
  );
  return { results, counts };
}
