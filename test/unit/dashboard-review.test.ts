// The dashboard's review source (dashboard/review-service.ts): a sign-off records exactly the
// samples the page was shown, refuses tickets that changed or were never loaded, and refuses
// approving a filtered row or flagging a field that is not an eTicket field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Profile } from '../../core/config/schema.js';
import type { ETicket } from '../../core/mapping/eticket.js';
import type { Preview } from '../../core/review/preview.js';
import { ReviewStore } from '../../core/review/store.js';
import { StateStore } from '../../core/state/store.js';
import { reviewService } from '../../dashboard/review-service.js';
import { parseReviewBody } from '../../dashboard/review.js';

function sample(n: string, revision: string | null): Preview['samples'][number] {
  const ticket = revision
    ? ({
        ticketId: `p:${n}`,
        revision,
        ticketNumber: n,
        status: 'issued',
        plant: { id: '1', name: 'Plant' },
        lines: [],
      } as unknown as ETicket)
    : null;
  return { ticketId: `p:${n}`, ticketNumber: n, raw: { TicketNo: n }, ticket, fields: [], problems: ticket ? [] : ['customer is empty'] };
}

function setup() {
  const store = new StateStore(':memory:');
  let revision = 'r1';
  let pulls = 0;
  const service = reviewService({
    profiles: [{ name: 'p' } as Profile],
    db: store.db,
    preview: async (_profile, opts) => {
      pulls++;
      return {
        profile: 'p',
        template: 'generic-scale-ticket',
        table: 'T',
        notFound: opts.ticketNumbers?.filter((x) => x === '404') ?? [],
        samples: [sample('1', revision), sample('2', null)],
      };
    },
  });
  return { store, service, bump: () => (revision = 'r2'), pulls: () => pulls };
}

test('samples carry the paper model and the revision; a sign-off records the ticket that was shown', async () => {
  const { store, service } = setup();
  const s = await service.samples({ profile: 'p', latest: 5 });
  assert.deepEqual(
    s.samples.map((x) => [x.ticketNumber, x.revision, x.paper ? 'paper' : null]),
    [
      ['1', 'r1', 'paper'],
      ['2', null, null],
    ],
  );
  const summary = await service.record({
    profile: 'p',
    reviewer: 'Dana',
    tickets: [
      { ticketId: 'p:1', revision: 'r1', verdict: 'approved', flags: [] },
      { ticketId: 'p:2', revision: null, verdict: 'flagged', flags: [{ field: 'ticket', comment: 'No customer on the row' }] },
    ],
  });
  assert.equal(summary.approved, 1);
  assert.equal(summary.flagged, 1);
  const saved = new ReviewStore(store.db).get(summary.id)!;
  assert.equal(saved.template, 'generic-scale-ticket');
  assert.equal(saved.tickets[0].ticket?.revision, 'r1');
  assert.deepEqual(saved.tickets[1].problems, ['customer is empty']);
  assert.deepEqual(await service.list('p', 5), [
    { id: summary.id, profile: 'p', reviewer: 'Dana', reviewedAt: saved.reviewedAt, approved: 1, flagged: 1 },
  ]);
  store.close();
});

test('a ticket never loaded, or changed since it was loaded, cannot be signed off', async () => {
  const { store, service, bump } = setup();
  const approve = (ticketId: string, revision: string | null) =>
    service.record({ profile: 'p', reviewer: 'Dana', tickets: [{ ticketId, revision, verdict: 'approved', flags: [] }] });
  await assert.rejects(approve('p:1', 'r1'), /load the samples again/, 'nothing loaded yet');
  await service.samples({ profile: 'p' });
  bump();
  await service.samples({ profile: 'p' }); // the page reloaded: r2 is what it shows now
  await assert.rejects(approve('p:1', 'r0'), /load the samples again/, 'a revision never shown');
  await assert.rejects(approve('p:9', 'r1'), /load the samples again/, 'a ticket never shown');
  // An old page still showing r1 may sign off what it showed (it was served); r2 likewise.
  assert.equal((await approve('p:1', 'r2')).approved, 1);
  store.close();
});

test('refusals: approving a filtered row, flagging a field that does not exist, unknown profile', async () => {
  const { store, service } = setup();
  await service.samples({ profile: 'p' });
  await assert.rejects(
    service.record({ profile: 'p', reviewer: 'Dana', tickets: [{ ticketId: 'p:2', revision: null, verdict: 'approved', flags: [] }] }),
    /filtered \(customer is empty\), so it cannot be approved/,
  );
  await assert.rejects(
    service.record({
      profile: 'p',
      reviewer: 'Dana',
      tickets: [{ ticketId: 'p:1', revision: 'r1', verdict: 'flagged', flags: [{ field: 'customer.nmae', comment: 'x' }] }],
    }),
    /not an eTicket field/,
  );
  await assert.rejects(service.samples({ profile: 'nope' }), /no profile named "nope"/);
  assert.equal((await service.list(null, 5)).length, 0, 'nothing was recorded');
  store.close();
});

test('two sample pulls for one profile run one after the other', async () => {
  const store = new StateStore(':memory:');
  let active = 0;
  let most = 0;
  const service = reviewService({
    profiles: [{ name: 'p' } as Profile],
    db: store.db,
    preview: async () => {
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setImmediate(r));
      active--;
      return { profile: 'p', template: 't', table: 'T', notFound: [], samples: [sample('1', 'r1')] };
    },
  });
  await Promise.all([service.samples({ profile: 'p' }), service.samples({ profile: 'p' }), service.samples({ profile: 'p' })]);
  assert.equal(most, 1);
  store.close();
});

test('sign-off bodies: shape and size checked, messages never quote the input', () => {
  const good = { profile: 'p', reviewer: 'Dana', tickets: [{ ticketId: 'p:1', revision: 'r1', verdict: 'approved', flags: [] }] };
  assert.deepEqual(parseReviewBody(good), good);
  const cases: Array<[unknown, RegExp]> = [
    [{ ...good, ['<script>']: 1 }, /could not be read/],
    [{ ...good, reviewer: '' }, /Type the reviewer name/],
    [{ ...good, tickets: [] }, /at least one ticket/],
    [{ ...good, tickets: [{ ...good.tickets[0], verdict: 'ok' }] }, /"approved" or "flagged"/],
    [{ ...good, reviewer: 'x'.repeat(101) }, /longer than 100/],
    [null, /could not be read/],
    ['text', /could not be read/],
  ];
  for (const [body, re] of cases) {
    const r = parseReviewBody(body);
    assert.ok(r instanceof Error);
    assert.match(r.message, re);
    assert.ok(!r.message.includes('<script>'));
  }
});
