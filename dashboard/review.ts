// The dashboard's sample review (docs/design.md job 2 and §5): what the server asks of a review source, what
// the page gets back, and the checks on a sign-off body. The source itself (pulling samples from
// the plant database, recording the review in the state database) is review-service.ts; tests
// inject their own.
import { z } from 'zod';
import type { PaperModel } from '../core/review/render.js';
import type { ReviewField } from '../core/review/samples.js';
import type { PaperCheck } from '../core/review/checks.js';
import type { ReviewSummary } from '../core/review/store.js';

export interface ReviewSamplesRequest {
  profile: string;
  /** The newest N tickets (when no numbers are given). */
  latest?: number;
  /** Numbers as printed on the paper tickets. */
  ticketNumbers?: string[];
}

/** One sample as the page shows it: the fields side by side with their raw values, and the paper. */
export interface DashboardSample {
  ticketId: string;
  ticketNumber: string;
  /** The mapped ticket's revision; null when the row is filtered. Sent back on sign-off. */
  revision: string | null;
  /** The number typed to find this row, when it was looked up by number. */
  requested?: string;
  /** The row as read, made printable (dates as wall-clock text). */
  raw: Record<string, unknown>;
  /** Every mapped field: eTicket path, value sent, source column(s), raw value(s). */
  fields: ReviewField[];
  /** Why the row is filtered (empty when it maps). */
  problems: string[];
  /** The mapped ticket drawn like the paper ticket; null when filtered. */
  paper: PaperModel | null;
  /** The fields a person checks on the paper, as printed (number, time in plant zone, quantities rounded). */
  checks: PaperCheck[];
}

export interface DashboardSamples {
  profile: string;
  template: string;
  table: string;
  samples: DashboardSample[];
  notFound: string[];
}

export interface ReviewSignOffTicket {
  ticketId: string;
  /** As loaded on the page: the review records exactly the ticket that was looked at. */
  revision: string | null;
  verdict: 'approved' | 'flagged';
  flags: Array<{ field: string; comment: string }>;
  comment?: string | null;
}

export interface ReviewSignOff {
  profile: string;
  reviewer: string;
  tickets: ReviewSignOffTicket[];
}

export interface DashboardReview {
  /** The profiles that can be reviewed. */
  profiles(): string[];
  samples(req: ReviewSamplesRequest): Promise<DashboardSamples>;
  /** Records the sign-off; throws one plain sentence when it cannot (the page shows it as is). */
  record(input: ReviewSignOff): Promise<ReviewSummary>;
  /** Recorded reviews, newest first. */
  list(profile: string | null, limit: number): Promise<ReviewSummary[]>;
  /** One recorded review as printable HTML (null: no such review). */
  exportHtml?(id: number): Promise<string | null>;
}

const line = (what: string, max: number) =>
  z
    .string({ error: `${what} must be text.` })
    .max(max, `${what} is longer than ${max} characters.`)
    .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), `${what} holds control characters.`);

const signOffSchema = z.strictObject({
  profile: line('The profile name', 100).refine((s) => s.trim() !== '', 'Choose a profile.'),
  reviewer: line('The reviewer name', 100).refine((s) => s.trim() !== '', 'Type the reviewer name.'),
  tickets: z
    .array(
      z.strictObject({
        ticketId: line('A ticket id', 300).refine((s) => s !== '', 'A ticket id is missing.'),
        revision: line('A revision', 200).nullable(),
        verdict: z.enum(['approved', 'flagged'], { error: 'A verdict must be "approved" or "flagged".' }),
        flags: z
          .array(z.strictObject({ field: line('A flagged field', 200), comment: line('A comment', 2000) }))
          .max(200, 'Flag at most 200 fields of one ticket.'),
        comment: line('A comment', 2000).nullable().optional(),
      }),
    )
    .min(1, 'Approve or flag at least one ticket before signing off.')
    .max(200, 'Sign off at most 200 tickets at a time.'),
});

/** The sign-off body, checked for shape and size; the review source checks the meaning. */
export function parseReviewBody(body: unknown): ReviewSignOff | Error {
  const r = signOffSchema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  // Only our own messages (all full sentences ending in a period): zod's defaults can quote the
  // input back ("Unrecognized key: …").
  const ours = issue && issue.message.endsWith('.') ? issue.message : undefined;
  return new Error(ours ?? 'The review could not be read; reload the page and try again.');
}
