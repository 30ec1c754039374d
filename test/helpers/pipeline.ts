// The pipeline's dependencies (core/engine/pipeline.ts PipelineDeps) for a pass over a demo plant's
// ticket table (core/demo/plant.ts) in SQLite, as the unit tests that drive runPass directly need
// them: the profile (generic template, the demo's zone and names), the state store and the source,
// closed when the test ends. What a test varies (the API, the mapper, retry waits, states) it passes
// or overrides in the object returned.
import type { TestContext } from 'node:test';
import { join } from 'node:path';
import { parseConfig } from '../../core/config/load.js';
import type { Profile } from '../../core/config/schema.js';
import { createChangeReader } from '../../core/change/index.js';
import { ApiClient } from '../../core/delivery/client.js';
import type { PipelineDeps } from '../../core/engine/pipeline.js';
import { DEMO_FIELDS } from '../../core/demo/environment.js';
import { DEMO_TIMEZONE } from '../../core/demo/plant.js';
import { createMapper } from '../../core/mapping/index.js';
import { createSource } from '../../core/sources/index.js';
import { StateStore } from '../../core/state/store.js';

export async function demoPipelineDeps(
  t: TestContext,
  o: {
    dir: string;
    plantFile: string;
    api: { url: string; token: string };
    batchSize: number;
    /** Added to the timestamp change settings (e.g. lookbackSeconds). */
    change?: Partial<Profile['change']>;
  },
): Promise<PipelineDeps> {
  const [profile] = parseConfig({
    profiles: [
      {
        name: 'p1',
        api: o.api,
        source: { driver: 'sqlite', file: o.plantFile },
        table: 'Tickets',
        key: ['TicketID'],
        change: { mode: 'timestamp', column: 'LastModified', timezone: DEMO_TIMEZONE, ...o.change },
        mapping: { template: 'generic-scale-ticket', fields: DEMO_FIELDS },
        batchSize: o.batchSize,
      },
    ],
  }).profiles;
  const store = new StateStore(join(o.dir, 'state.db'));
  t.after(() => store.close());
  const source = await createSource(profile.source, {});
  await source.connect();
  t.after(() => source.close());
  return {
    profile,
    store,
    source,
    reader: createChangeReader(profile),
    mapper: createMapper({ template: profile.mapping.template, fields: profile.mapping.fields, timezone: DEMO_TIMEZONE }),
    api: new ApiClient({ url: o.api.url, token: o.api.token, userAgent: 'outpost/test' }),
    connector: { id: 'c-test', version: '0', profile: 'p1' },
    onState: () => {},
    onProgress: () => {},
    signal: new AbortController().signal,
  };
}
