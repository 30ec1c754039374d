// The review source the daemon gives its dashboard: samples pulled from the plant database and
// mapped as the daemon would (core/review previewProfile), sign-offs recorded in the state database
// (core/review ReviewStore) next to the ledger.
//
// What gets recorded is exactly what the reviewer looked at: every sample served is remembered
// (bounded) by ticket id and revision, and a sign-off may only name a sample served that way. A row
// that changed since the page loaded has a new revision, so an old page cannot approve it.
import type Database from 'better-sqlite3';
import type { Profile } from '../core/config/schema.js';
import type { Preview, PreviewOptions } from '../core/review/preview.js';
import type { ReviewSample } from '../core/review/samples.js';
import type { ReviewStore, ReviewSummary, ReviewTicketInput } from '../core/review/store.js';
import type { DashboardReview, DashboardSamples, ReviewSamplesRequest, ReviewSignOff } from './review.js';

export interface ReviewServiceOptions {
  profiles: Profile[];
  /** The state database (StateStore.db); the review tables are created on first use. */
  db: Database.Database;
  /** The plant zone for times in exports when a profile names none. */
  timeZone?: string;
  /** Injected in tests; default core/review previewProfile. */
  preview?: (profile: Profile, opts: PreviewOptions) => Promise<Preview>;
}

/** Samples remembered for sign-off; a page that sat open past this many newer samples reloads. */
const MAX_REMEMBERED = 2_000;

export function reviewService(opts: ReviewServiceOptions): DashboardReview {
  const byName = new Map(opts.profiles.map((p) => [p.name, p]));
  const served = new Map<string, { sample: ReviewSample; template: string }>();
  let store: ReviewStore | undefined;
  // One sample pull per profile at a time: a second click waits rather than opening more connections.
  const busy = new Map<string, Promise<unknown>>();

  const key = (profile: string, ticketId: string, revision: string | null) => `${profile}\u0000${ticketId}\u0000${revision ?? ''}`;
  const reviews = async () => {
    if (!store) {
      const { ReviewStore } = await import('../core/review/store.js');
      store = new ReviewStore(opts.db);
    }
    return store;
  };

  const profileOf = (name: string): Profile => {
    const p = byName.get(name);
    if (!p) throw new Error(`There is no profile named ${JSON.stringify(name)}.`);
    return p;
  };

  return {
    profiles: () => [...byName.keys()],

    async samples(req: ReviewSamplesRequest): Promise<DashboardSamples> {
      const profile = profileOf(req.profile);
      const previous = busy.get(profile.name) ?? Promise.resolve();
      const run = previous
        .catch(() => {})
        .then(async () => {
          const preview = opts.preview ?? (await import('../core/review/preview.js')).previewProfile;
          const { paperModel } = await import('../core/review/render.js');
          const { paperChecks } = await import('../core/review/checks.js');
          const p = await preview(profile, req.ticketNumbers?.length ? { ticketNumbers: req.ticketNumbers } : { latest: req.latest ?? 5 });
          for (const s of p.samples) {
            const k = key(profile.name, s.ticketId, s.ticket?.revision ?? null);
            served.delete(k); // re-insert: the Map's order is the eviction order
            served.set(k, { sample: s, template: p.template });
            if (served.size > MAX_REMEMBERED) served.delete(served.keys().next().value!);
          }
          return {
            profile: p.profile,
            template: p.template,
            table: p.table,
            notFound: p.notFound,
            samples: p.samples.map((s) => ({
              ticketId: s.ticketId,
              ticketNumber: s.ticketNumber,
              revision: s.ticket?.revision ?? null,
              ...(s.requested !== undefined ? { requested: s.requested } : {}),
              raw: s.raw,
              fields: s.fields,
              problems: s.problems,
              paper: s.ticket ? paperModel(s.ticket) : null,
              checks: s.ticket ? paperChecks(s.ticket, s.fields) : [],
            })),
          } satisfies DashboardSamples;
        });
      busy.set(profile.name, run);
      try {
        return await run;
      } finally {
        if (busy.get(profile.name) === run) busy.delete(profile.name);
      }
    },

    async record(input: ReviewSignOff): Promise<ReviewSummary> {
      const profile = profileOf(input.profile);
      const { checkFlagField } = await import('../core/review/fields.js');
      let template: string | null = null;
      const tickets: ReviewTicketInput[] = input.tickets.map((t) => {
        const hit = served.get(key(profile.name, t.ticketId, t.revision));
        if (!hit) throw new Error('A ticket on this page changed or is no longer loaded; load the samples again and review it.');
        const { sample } = hit;
        template ??= hit.template;
        const label = sample.ticketNumber || sample.ticketId;
        for (const f of t.flags) {
          const bad = checkFlagField(f.field);
          if (bad) throw new Error(`Ticket ${label}: ${bad}`);
        }
        if (t.verdict === 'approved' && !sample.ticket) {
          throw new Error(
            `Ticket ${label} is filtered (${sample.problems.join('; ')}), so it cannot be approved; flag it or fix the mapping.`,
          );
        }
        return {
          ticketNumber: sample.ticketNumber || sample.ticketId,
          ticketId: sample.ticketId,
          verdict: t.verdict,
          flags: t.flags,
          comment: t.comment ?? null,
          ticket: sample.ticket,
          problems: sample.problems,
        };
      });
      const saved = (await reviews()).record({ profile: profile.name, reviewer: input.reviewer, template, tickets });
      const approved = saved.tickets.filter((t) => t.verdict === 'approved').length;
      return {
        id: saved.id,
        profile: saved.profile,
        reviewer: saved.reviewer,
        reviewedAt: saved.reviewedAt,
        approved,
        flagged: saved.tickets.length - approved,
      };
    },

    async list(profile: string | null, limit: number): Promise<ReviewSummary[]> {
      return (await reviews()).list(profile ?? undefined, limit);
    },

    async exportHtml(id: number): Promise<string | null> {
      const review = (await reviews()).get(id);
      if (!review) return null;
      const { reviewToHtml } = await import('../core/review/export.js');
      return reviewToHtml(review, { timeZone: byName.get(review.profile)?.change.timezone ?? opts.timeZone });
    },
  };
}
