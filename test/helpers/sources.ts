// What the source-adapter tests share: a profile's source for a server and login, a connected
// adapter closed after the test, and the SourceError a promise must reject with.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { SourceConfig } from '../../core/config/schema.js';
import { createSource } from '../../core/sources/index.js';
import { SourceError, type SourceAdapter } from '../../core/sources/types.js';
import type { DbServer } from './databases.js';

/** The source config for `driver` on a test server with the given login. */
export function serverSource(
  driver: 'postgres' | 'mysql',
  server: DbServer,
  database: string,
  login: { user: string; password: string },
  extra: Partial<SourceConfig> = {},
): SourceConfig {
  return { driver, host: server.host, port: server.port, database, user: login.user, password: login.password, options: {}, ...extra };
}

/** An adapter for `cfg`, connected, and closed when the test ends. */
export async function connectedSource<T extends SourceAdapter>(t: TestContext, cfg: SourceConfig): Promise<T> {
  const src = (await createSource(cfg)) as T;
  await src.connect();
  t.after(() => src.close());
  return src;
}

/** The SourceError `p` rejects with (fails the test when it resolves or throws something else). */
export async function sourceError(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SourceError, `expected a SourceError, got ${(e as Error).stack}`);
    return e;
  }
  assert.fail('expected an error');
}
