import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiClient,
  BatchRefusedError,
  ProtocolError,
  RetryableError,
  TokenRejectedError,
  fingerprint,
  idempotencyKey,
  parseRetryAfter,
} from '../../core/delivery/client.js';
import { configureNetwork, pemCertificates, redactProxy } from '../../core/delivery/network.js';
import { backoffMs } from '../../core/engine/backoff.js';
import { packBatches } from '../../core/engine/pipeline.js';
import { startSandbox } from '../../core/sandbox/server.js';
import { listenLocal } from '../helpers/raw-http.js';
import { skipOrFail } from '../helpers/skip.js';

test('Retry-After: seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter('0.5'), 500);
  const now = Date.parse('2026-11-25T10:00:00Z');
  assert.equal(parseRetryAfter('Wed, 25 Nov 2026 10:00:07 GMT', now), 7000);
  assert.equal(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter('soon'), null);
  assert.equal(parseRetryAfter(null), null);
});

test('idempotency key: deterministic per profile, tickets, revisions and the row time', () => {
  const a = [
    { ticketId: 'p:1', revision: 'r1' },
    { ticketId: 'p:2', revision: 'r9' },
  ];
  assert.equal(
    idempotencyKey('p', a),
    idempotencyKey(
      'p',
      a.map((x) => ({ ...x })),
    ),
  );
  assert.notEqual(idempotencyKey('p', a), idempotencyKey('q', a));
  assert.notEqual(idempotencyKey('p', a), idempotencyKey('p', [a[0], { ticketId: 'p:2', revision: 'r10' }]));
  // A touched row (same content, new modified time) is a different body: it must not reuse the key (422).
  assert.notEqual(
    idempotencyKey('p', [{ ...a[0], source: { recordModifiedAt: 't1' } }]),
    idempotencyKey('p', [{ ...a[0], source: { recordModifiedAt: 't2' } }]),
  );
  assert.notEqual(idempotencyKey('p', a, 'c/0.1.0'), idempotencyKey('p', a, 'c/0.2.0'));
});

test('backoff: full jitter under a cap that grows exponentially', () => {
  assert.equal(
    backoffMs(0, 1000, 60_000, () => 0.999),
    999,
  );
  assert.equal(
    backoffMs(3, 1000, 60_000, () => 1),
    8000,
  );
  assert.equal(
    backoffMs(20, 1000, 60_000, () => 1),
    60_000,
  );
  assert.equal(
    backoffMs(5, 1000, 60_000, () => 0),
    0,
  );
});

test('batches are bounded by count and by bytes; a ticket larger than the byte bound goes alone', () => {
  const items = [10, 10, 10, 10, 10, 100, 10].map((n, i) => ({ id: i, json: 'x'.repeat(n) }));
  const byCount = packBatches(items, 3, 1_000_000);
  assert.deepEqual(
    byCount.map((b) => b.length),
    [3, 3, 1],
  );
  const byBytes = packBatches(items, 100, 35);
  assert.deepEqual(
    byBytes.map((b) => b.map((x) => x.id)),
    [[0, 1, 2], [3, 4], [5], [6]],
  );
  for (const b of byBytes) assert.ok(b.length === 1 || b.reduce((a, x) => a + x.json.length + 1, 0) <= 35);
});

test('the client: 401 is a token stop, 400 a batch refusal to split, and the token never leaves in errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-delivery-'));
  const sandbox = await startSandbox({
    dbFile: join(dir, 's.db'),
    accounts: [{ token: 'good-token-1234', accountId: 'a', accountName: 'A', environment: 'sandbox' }],
  });
  t.after(() => sandbox.close());
  const bad = new ApiClient({ url: sandbox.url, token: 'bad-token-5678', userAgent: 'outpost/test' });
  await assert.rejects(
    bad.postBatchJson({ id: 'c', version: '0', profile: 'p' }, ['{}'], 'k1'),
    (e: Error) => e instanceof TokenRejectedError && !e.message.includes('bad-token'),
  );
  assert.notEqual(bad.tokenFingerprint, fingerprint('good-token-1234'));
  bad.setToken('good-token-1234');
  assert.equal(bad.tokenFingerprint, fingerprint('good-token-1234'));
  const res = await bad.postBatchJson({ id: 'c', version: '0', profile: 'p' }, ['{"ticketId":"x"}'], 'k2');
  assert.equal((res[0] as { action: string }).action, 'rejected', 'an invalid ticket is a per-ticket rejection');
  // A body the API cannot read at all is a batch refusal (split by the pipeline), not a retry forever.
  const raw = new ApiClient({ url: sandbox.url, token: 'good-token-1234', userAgent: 'outpost/test' });
  await assert.rejects(
    raw.postBatchJson({ id: 'c', version: '0', profile: 'p' }, ['not json'], 'k3'),
    (e: Error) => e instanceof BatchRefusedError && e.status === 400,
  );
});

test('network: an extra CA file is read as PEM; a proxy URL is logged without its credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-ca-'));
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  assert.equal(pemCertificates(pem + pem).length, 2);
  const empty = join(dir, 'empty.pem');
  writeFileSync(empty, 'nothing here');
  assert.throws(() => configureNetwork({ env: {}, caFiles: [empty] }), /holds no PEM certificate/);
  assert.throws(() => configureNetwork({ env: {}, caFiles: [join(dir, 'missing.pem')] }), /cannot be read/);
  assert.equal(redactProxy('http://user:secret@proxy.plant.local:3128'), 'http://proxy.plant.local:3128');
  const none = configureNetwork({ env: {} });
  assert.equal(none.proxy, null);
});

test('TLS: an API with a certificate no CA vouches for is refused as not trusted; with its CA as api.caFile it answers', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const https = await import('node:https');
  const { readFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'outpost-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return skipOrFail(t, 'openssl is not installed (Debian package "openssl")');
  }
  const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ accountId: 'tls', accountName: 'TLS', environment: 'sandbox' }));
  });
  const port = await listenLocal(t, server);
  const client = new ApiClient({
    url: `https://127.0.0.1:${port}`,
    token: 'tls-token-1234',
    userAgent: 'outpost/test',
  });
  await assert.rejects(
    client.whoami(),
    (e: Error) => e instanceof RetryableError && /TLS certificate .* is not trusted .*api\.caFile/.test(e.message),
  );
  const setup = configureNetwork({ env: {}, caFiles: [join(dir, 'cert.pem')] });
  if (setup.warnings.length) return skipOrFail(t, setup.warnings[0]);
  assert.equal((await client.whoami()).accountId, 'tls');
});

test('the client: a redirect is not followed; the batch answer is a protocol error that names the URL to check', async (t) => {
  const { createServer } = await import('node:http');
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    res.writeHead(301, { Location: 'http://127.0.0.1:9/elsewhere', 'Content-Type': 'text/html' });
    res.end('<html>moved</html>');
  });
  const url = `http://127.0.0.1:${await listenLocal(t, server)}`;
  const client = new ApiClient({ url, token: 'redirect-token-1234', userAgent: 'outpost/test' });
  await assert.rejects(
    client.postBatchJson({ id: 'c', version: '0', profile: 'p' }, ['{"ticketId":"x"}'], 'k'),
    (e: Error) =>
      e instanceof ProtocolError && e.message.includes(`answered 301 (an HTML page) to POST ${url}/v1/tickets:batch; check the API URL`),
  );
  assert.equal(hits, 1, 'the Location was not followed');
});

test('the client: a kept-alive connection the server dropped as a request went out is retried at once on a new one', async (t) => {
  const { createServer } = await import('node:http');
  let requests = 0;
  const perSocket = new WeakMap<object, number>();
  const server = createServer((req, res) => {
    requests++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    // The second request on a connection finds it closed, as after a server's keep-alive timeout.
    if (n > 1) return req.socket.destroy();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ results: [] }));
  });
  const client = new ApiClient({
    url: `http://127.0.0.1:${await listenLocal(t, server)}`,
    token: 'keepalive-1234',
    userAgent: 'outpost/test',
  });
  const connector = { id: 'c', version: '0', profile: 'p' };
  assert.deepEqual(await client.postBatchJson(connector, [], 'k1'), []);
  assert.deepEqual(await client.postBatchJson(connector, [], 'k2'), [], 'answered on a new connection');
  assert.equal(requests, 3);
});

// Last in this file: configureNetwork makes the proxy the process's global agent for the tests after it.
test('network: HTTPS_PROXY/HTTP_PROXY carry API requests through the proxy, NO_PROXY hosts go direct', async (t) => {
  const { createServer, request } = await import('node:http');
  const net = await import('node:net');
  const dir = mkdtempSync(join(tmpdir(), 'outpost-proxy-'));
  const sandbox = await startSandbox({
    dbFile: join(dir, 's.db'),
    accounts: [{ token: 'good-token-1234', accountId: 'a', accountName: 'A', environment: 'sandbox' }],
  });
  t.after(() => sandbox.close());
  // A minimal proxy that counts what it carries: plain requests in absolute form (how a client sends
  // an http:// URL through a proxy) are forwarded, CONNECT opens a tunnel (an https:// URL).
  const tunnels: string[] = [];
  const proxy = createServer((req, res) => {
    const target = new URL(String(req.url));
    if (target.protocol !== 'http:') return res.writeHead(405).end();
    tunnels.push(target.host);
    // agent: false — not the global agent, which points at this proxy once configureNetwork ran.
    const up = request(target, { method: req.method, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  proxy.on('connect', (req, socket, head) => {
    tunnels.push(String(req.url));
    const [host, port] = String(req.url).split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        proxy.closeAllConnections();
        proxy.close(() => r());
      }),
  );
  const proxyUrl = `http://user:pw@127.0.0.1:${(proxy.address() as { port: number }).port}`;
  const setup = configureNetwork({ env: { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: 'localhost' } });
  if (setup.warnings.length) {
    console.log(`# skipped proxy check: ${setup.warnings[0]}`);
    return;
  }
  assert.ok(!String(setup.proxy).includes('pw'));
  const viaProxy = new ApiClient({ url: sandbox.url, token: 'good-token-1234', userAgent: 'outpost/test' });
  assert.equal((await viaProxy.whoami()).accountId, 'a');
  assert.equal(tunnels.length, 1, 'the request went through the proxy');
  const direct = new ApiClient({ url: `http://localhost:${sandbox.port}`, token: 'good-token-1234', userAgent: 'outpost/test' });
  assert.equal((await direct.whoami()).accountId, 'a');
  assert.equal(tunnels.length, 1, 'a NO_PROXY host is reached directly');
});
