import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idempotencyKey, parseRetryAfter } from '../../core/delivery/client.js';
import { backoffMs } from '../../core/engine/backoff.js';

test('Retry-After: seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter('0.5'), 500);
  const now = Date.parse('2026-11-25T10:00:00Z');
  assert.equal(parseRetryAfter('Wed, 25 Nov 2026 10:00:07 GMT', now), 7000);
  assert.equal(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter('soon'), null);
  assert.equal(parseRetryAfter(null), null);
});

test('idempotency key: deterministic per profile, tickets and revisions', () => {
  const a = [{ ticketId: 'p:1', revision: 'r1' }, { ticketId: 'p:2', revision: 'r9' }];
  assert.equal(idempotencyKey('p', a), idempotencyKey('p', a.map((x) => ({ ...x }))));
  assert.notEqual(idempotencyKey('p', a), idempotencyKey('q', a));
  assert.notEqual(idempotencyKey('p', a), idempotencyKey('p', [a[0], { ticketId: 'p:2', revision: 'r10' }]));
});

test('backoff: full jitter under a cap that grows exponentially', () => {
  assert.equal(backoffMs(0, 1000, 60_000, () => 0.999), 999);
  assert.equal(backoffMs(3, 1000, 60_000, () => 1), 8000);
  assert.equal(backoffMs(20, 1000, 60_000, () => 1), 60_000);
  assert.equal(backoffMs(5, 1000, 60_000, () => 0), 0);
});
