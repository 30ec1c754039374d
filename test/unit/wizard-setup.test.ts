// The core of the setup call under the wizard: secrets (secret:NAME in a 0600 file beside the
// config), the draft store (conf, never a secret), zones, the handoff's profile and site template,
// typed paper numbers on real PostgreSQL and MariaDB, and `setup --plain` walking every step —
// the mapping editor included — through a scripted prompter.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  parseSecretsFile,
  readSecrets,
  resolveSecret,
  secretsFileFor,
  useSecretsFileFor,
  writeSecret,
  MissingSecretError,
} from '../../core/config/secrets.js';
import { loadConfig, upsertProfile } from '../../core/config/load.js';
import { DraftStore, withoutSecrets } from '../../core/setup/draft-store.js';
import { placeSecrets, profileFromDraft, saveSiteTemplate, serviceEnvLine } from '../../core/setup/handoff.js';
import { searchZones, suggestZone, zoneExample, allZones } from '../../core/setup/zones.js';
import { createLiveServices } from '../../core/setup/live.js';
import type { SetupDraft } from '../../core/setup/services.js';
import { loadTemplateRef } from '../../core/mapping/files.js';
import { createMapper } from '../../core/mapping/mapper.js';
import { pullSamples } from '../../core/review/samples.js';
import { runPlain, type Prompter, type Choice } from '../../cli/plain/prompts.js';
import { scratchDatabase } from '../helpers/databases.js';
import { connectedSource, scratchSource } from '../helpers/sources.js';

const tmp = (t: { after(fn: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), 'outpost-setup-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

test('secret:NAME resolves from the 0600 secrets file beside the config, else the environment (systemd EnvironmentFile)', (t) => {
  const dir = tmp(t);
  const config = join(dir, 'outpost.json');
  const file = secretsFileFor(config, {});
  assert.equal(file, join(dir, 'secrets.env'));
  writeSecret(file, 'OUTPOST_TOKEN', 'tok "quoted" \\ back');
  writeSecret(file, 'DB_PW', 'pw=with=equals');
  writeSecret(file, 'OUTPOST_TOKEN', 'tok "quoted" \\ back'); // replaced, not repeated
  if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^OUTPOST_TOKEN="tok \\"quoted\\" \\\\ back"$/m, 'systemd EnvironmentFile quoting');
  assert.equal(text.match(/OUTPOST_TOKEN=/g)?.length, 1);
  assert.deepEqual(
    [...parseSecretsFile(text)],
    [
      ['OUTPOST_TOKEN', 'tok "quoted" \\ back'],
      ['DB_PW', 'pw=with=equals'],
    ],
  );
  assert.throws(() => writeSecret(file, 'bad-name', 'x'), /cannot name a secret/);
  assert.throws(() => writeSecret(file, 'OK', 'two\nlines'), /line break/);

  useSecretsFileFor(config);
  try {
    assert.equal(resolveSecret('secret:OUTPOST_TOKEN', {}), 'tok "quoted" \\ back');
    assert.equal(resolveSecret('secret:FROM_ENV', { FROM_ENV: 'e' }), 'e', 'not in the file: the service environment');
    assert.throws(
      () => resolveSecret('secret:NOPE', {}),
      (e: Error) => e instanceof MissingSecretError && /secret NOPE is not in .*secrets\.env/.test(e.message),
    );
    assert.equal(resolveSecret('env:X', { X: 'x' }), 'x');
    assert.equal(resolveSecret('inline', {}), 'inline');
  } finally {
    useSecretsFileFor(null);
  }
});

test('placeSecrets: file (default), env with the service line, inline only when chosen; references stay', (t) => {
  const dir = tmp(t);
  const config = join(dir, 'outpost.json');
  const d = (over: Partial<SetupDraft>): SetupDraft => ({
    profileName: 'p',
    apiUrl: 'https://api.example.test',
    token: 'tok_S3CRET_123',
    source: { driver: 'postgres', host: 'db', password: 'pw_S3CRET_456', options: {} },
    table: 't',
    key: ['id'],
    changeColumn: null,
    template: 'generic-scale-ticket',
    ...over,
  });
  const a = placeSecrets(d({}), config, {});
  assert.equal(a.token, 'secret:OUTPOST_TOKEN');
  assert.equal(a.password, 'secret:OUTPOST_DB_PASSWORD');
  assert.deepEqual(Object.fromEntries(readSecrets(join(dir, 'secrets.env'))), {
    OUTPOST_TOKEN: 'tok_S3CRET_123',
    OUTPOST_DB_PASSWORD: 'pw_S3CRET_456',
  });
  assert.ok(
    a.notes.every((n) => !n.includes('S3CRET')),
    'no secret in the notes',
  );
  const b = placeSecrets(d({ secrets: { token: { kind: 'env', name: 'PLANT_TOKEN' }, password: { kind: 'inline' } } }), config, {});
  assert.equal(b.token, 'env:PLANT_TOKEN');
  assert.equal(b.password, 'pw_S3CRET_456');
  assert.match(b.notes.join('\n'), /PLANT_TOKEN/);
  assert.match(b.notes.join('\n'), /written into the config file \(chosen\)/);
  assert.match(serviceEnvLine('PLANT_TOKEN', 'linux'), /systemctl edit outpost .*Environment="PLANT_TOKEN=<value>"/);
  assert.match(serviceEnvLine('PLANT_TOKEN', 'win32'), /setx \/M PLANT_TOKEN/);
  const c = placeSecrets(d({ token: 'env:OUTPOST_TOKEN', source: { driver: 'postgres', host: 'db', options: {} } }), config, {});
  assert.equal(c.token, 'env:OUTPOST_TOKEN');
  assert.equal(c.password, undefined);

  // The profile keeps every choice as chosen and validates; the secret: reference resolves.
  const profile = profileFromDraft(d({ environment: 'uat', changeMode: 'increasing', changeColumn: 'id', timezone: 'America/Chicago' }), {
    token: a.token,
    password: a.password,
  });
  upsertProfile(config, profile);
  const loaded = loadConfig(config).profiles[0];
  assert.equal(loaded.environment, 'uat');
  assert.equal(loaded.change.mode, 'increasing');
  assert.equal(loaded.change.timezone, 'America/Chicago');
  assert.equal(loaded.api.token, 'secret:OUTPOST_TOKEN');
  assert.ok(!readFileSync(config, 'utf8').includes('S3CRET'), 'no secret in the config');
  assert.equal(resolveSecret(loaded.api.token, {}), 'tok_S3CRET_123');
  useSecretsFileFor(null);
});

test('draft store: conf in <home>/setup, one draft per profile, never a secret value', (t) => {
  const home = tmp(t);
  const store = new DraftStore(home);
  assert.equal(store.path, join(home, 'setup', 'draft.json'));
  const draft: SetupDraft = {
    profileName: 'plant.12',
    apiUrl: 'https://x.test',
    token: 'tok_S3CRET',
    source: { driver: 'mysql', host: 'db', password: 'pw_S3CRET', options: {} },
    table: 'tickets',
    key: ['id'],
    changeColumn: 'updated_at',
    timezone: 'America/Chicago',
    template: 'auto',
    fields: { 'customer.name': { column: 'cust' } },
  };
  store.save('plant.12', draft, 'mapping');
  const text = readFileSync(store.path, 'utf8');
  assert.ok(!text.includes('S3CRET'), 'no secret on disk');
  if (process.platform !== 'win32') assert.equal(statSync(store.path).mode & 0o777, 0o600);
  const back = new DraftStore(home).load('plant.12')!;
  assert.equal(back.step, 'mapping');
  assert.equal(back.draft.token, '');
  assert.equal(back.draft.source.password, undefined);
  assert.deepEqual(back.draft.fields, draft.fields);
  assert.equal(back.draft.timezone, 'America/Chicago');
  assert.equal(withoutSecrets({ ...draft, token: 'env:OUTPOST_TOKEN' }).token, 'env:OUTPOST_TOKEN', 'references are kept');
  store.clear('plant.12');
  assert.equal(new DraftStore(home).load('plant.12'), null);
});

test('zones: searchable IANA list, suggestion from the database or the machine, a sample time in the zone', () => {
  assert.ok(allZones().length > 300);
  assert.deepEqual(searchZones('new york'), ['America/New_York']);
  assert.ok(searchZones('chicago').includes('America/Chicago'));
  assert.equal(suggestZone({ database: 'America/Denver', machine: 'UTC' }).zone, 'America/Denver');
  assert.equal(
    suggestZone({ database: 'Etc/UTC', machine: 'America/Chicago' }).from,
    'machine',
    'a UTC server says little about the plant',
  );
  assert.equal(suggestZone({ draft: 'Asia/Tokyo', database: 'America/Denver' }).zone, 'Asia/Tokyo');
  assert.equal(suggestZone({ database: 'not/a_zone', machine: 'UTC' }).zone, 'UTC');
  assert.equal(zoneExample('2026-11-02 08:15:00', 'America/Chicago'), '2026-11-02 08:15 → 2026-11-02T08:15:00-06:00 (14:15 UTC)');
  assert.equal(zoneExample('2026-07-02 08:15:00', 'America/Chicago'), '2026-07-02 08:15 → 2026-07-02T08:15:00-05:00 (13:15 UTC)');
});

test('site template: the mapping as edited (fields and skip rules folded in) is saved and named by the profile', (t) => {
  const home = tmp(t);
  const d: SetupDraft = {
    profileName: 'Plant 12',
    apiUrl: 'https://x.test',
    token: 't',
    source: { driver: 'sqlite', file: 'x.db', options: {} },
    table: 'tickets',
    key: ['id'],
    changeColumn: null,
    template: 'generic-scale-ticket',
    fields: { 'customer.name': { column: 'cust_name' } },
    skip: [{ if: { column: 'kind', equals: 'TEST' }, reason: 'test ticket' }],
  };
  const name = saveSiteTemplate(home, d, 'generic-scale-ticket');
  assert.equal(name, 'site-plant-12');
  const { template, file } = loadTemplateRef(name, home);
  assert.equal(file, join(home, 'templates', 'site-plant-12.json'));
  assert.deepEqual((template.ticket.customer as { name: unknown }).name, { column: 'cust_name' });
  assert.deepEqual(template.skip, [{ if: { column: 'kind', equals: 'TEST' }, reason: 'test ticket' }]);
  const m = createMapper({ template: name, home, timezone: 'UTC' });
  assert.equal(m.templateName, name);
});

test('typed paper numbers find zero- and space-padded ones on real PostgreSQL and MariaDB', async (t) => {
  const setup = [
    'CREATE TABLE tickets (id INT PRIMARY KEY, tkt_no VARCHAR(12), updated_at TIMESTAMP)',
    "INSERT INTO tickets VALUES (1, '005006', '2026-11-02 08:00:00'), (2, '   5007', '2026-11-02 09:00:00'), (3, '15006', '2026-11-02 10:00:00')",
  ];
  const base = {
    name: 'p',
    environment: 'sandbox' as const,
    api: { url: 'https://x.test', token: 't' },
    table: 'tickets',
    key: ['id'],
    change: { mode: 'timestamp' as const, column: 'updated_at', lookbackSeconds: 300, timezone: 'UTC' },
    mapping: { template: 'generic-scale-ticket', fields: {} },
    schedule: { every: '5s' },
    batchSize: 200,
    enabled: true,
  };
  /** The samples for typed `ticketNumbers` on `driver`'s server: both padded rows are found. */
  const padded = async (tt: TestContext, driver: 'postgres' | 'mysql', table: string, ticketNumbers: string[]) => {
    const s = await scratchDatabase(tt, driver, setup, 'tickets');
    if (!s) return undefined;
    const src = await connectedSource(tt, scratchSource(driver, s));
    const r = await pullSamples(src, { ...base, table, source: { driver, options: {} } }, { ticketNumbers, numberColumn: 'tkt_no' });
    assert.deepEqual(
      r.rows.map((x) => x.tkt_no),
      ['005006', '   5007'],
    );
    return r;
  };
  await t.test('PostgreSQL', async (tt) => {
    const r = await padded(tt, 'postgres', 'public.tickets', ['5006', '0005007', '6']);
    if (r) assert.deepEqual(r.notFound, ['6']);
  });
  await t.test('MariaDB', async (tt) => {
    await padded(tt, 'mysql', 'tickets', ['5006', '0005007']);
  });
});

/** Answers the plain prompts from a script: each entry names the prompt it expects (a substring) and the answer. */
function scripted(script: [string, string | boolean | ((choices: Choice<unknown>[]) => unknown)][], seen: string[]): Prompter {
  const next = (message: string) => {
    seen.push(message);
    const s = script.shift();
    if (!s) throw new Error(`no scripted answer for "${message}"`);
    if (!message.includes(s[0])) throw new Error(`expected a prompt with "${s[0]}", got "${message}"`);
    return s[1];
  };
  return {
    async input(message, o = {}) {
      const a = next(message);
      const v = a === '' ? (o.default ?? '') : String(a);
      const ok = o.validate ? o.validate(v) : true;
      if (ok !== true) throw new Error(`scripted answer "${v}" refused: ${ok}`);
      return v;
    },
    async secret(message) {
      return String(next(message));
    },
    async select<T>(message: string, choices: Choice<T>[], def?: T): Promise<T> {
      const a = next(message);
      if (a === '') return def ?? choices[0].value;
      if (typeof a === 'function') return a(choices as Choice<unknown>[]) as T;
      const c = choices.find((x) => x.name.includes(String(a)));
      if (!c) throw new Error(`no choice "${String(a)}" in ${choices.map((x) => x.name).join(' | ')}`);
      return c.value;
    },
    async confirm(message, def) {
      const a = next(message);
      return a === '' ? def : Boolean(a);
    },
  };
}

test('setup --plain walks every step on the live services, the mapping editor as line prompts', async (t) => {
  const dir = tmp(t);
  const plant = join(dir, 'plant.db');
  const db = new Database(plant);
  db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE scale_tickets (id INTEGER PRIMARY KEY, tkt TEXT, weighed TEXT, cust INTEGER REFERENCES customers(id), prod TEXT, net_lb REAL, truck TEXT, modified TEXT);
    INSERT INTO customers VALUES (1, 'Hill County Paving');
    INSERT INTO scale_tickets VALUES (1, '005001', '2026-11-02 08:15:00', 1, 'HMA-9.5', 40000, 'T-1', '2026-11-02 08:15:00'),
                                     (2, '005002', '2026-11-02 09:15:00', 1, 'AGG-57', 30000, 'T-2', '2026-11-02 09:15:00');`);
  db.close();
  const handed: SetupDraft[] = [];
  const services = createLiveServices({
    home: dir,
    handoff: async (d) => {
      handed.push(d);
      return { configPath: join(dir, 'outpost.json'), daemon: 'not started' };
    },
  });
  // The API is not part of this test: the token check answers like the sandbox does.
  services.checkToken = async () => ({ ok: true, accountId: 'a', accountName: 'Acme', environment: 'sandbox' });
  const seen: string[] = [];
  const column = (name: string) => (choices: Choice<unknown>[]) =>
    choices.find((c) => c.name === name || c.name.startsWith(`${name} `) || c.name.includes(`: ${name}`))!.value;
  const field = (label: string) => (choices: Choice<unknown>[]) =>
    choices.find((c) => c.name.includes(` ${label}*:`) || c.name.includes(` ${label}:`))!.value;
  type Step = [string, string | boolean | ((c: Choice<unknown>[]) => unknown)];
  /** The editor's prompts that pick the field `label`, then say what it should be, and answer the rest. */
  const edit = (label: string, what: string, ...rest: Step[]): Step[] => [
    ['Field to change', field(label)],
    [`${label}: what should it be?`, what],
    ...rest,
  ];
  const fromColumn = (label: string, name: string) => edit(label, 'take it from a column', ['Column', column(name)]);
  const fixed = (label: string, value: string) => edit(label, 'a fixed value', ['Value', value]);
  const lookedUp = (label: string, foreignKey: string, table: string, name: string) =>
    edit(label, 'look it up in another table', ['Through which foreign key?', foreignKey], [`Which column of ${table}?`, name]);
  const converted = (label: string, from: string, to: string) =>
    edit(label, 'convert a unit', ['The value is in which unit?', from], ['Send it in', to]);
  const script: Step[] = [
    ['Environment', ''],
    ['API URL', 'https://api.example.test'],
    ['Account token', 'tok_123456'],
    ['Database', 'SQLite'],
    ['Database file', plant],
    ['Ticket table', 'scale_tickets'],
    ['Change detection', ''],
    ['Time zone', 'chicago'],
    ['Which zone?', 'America/Chicago'],
    ['Check the mapping on', 'ticket numbers'],
    ['Ticket numbers', '5001 5002'],
    ['The column they are in', column('tkt')],
    // The editor: the generic template knows none of these columns.
    ...fromColumn('ticket date', 'weighed'),
    ...fixed('plant code', 'P12'),
    ...fixed('plant name', 'Riverside'),
    ...fixed('supplier name', 'Riverside Materials'),
    ...lookedUp('customer', 'cust → customers', 'customers', 'name'),
    ...fromColumn('truck', 'truck'),
    ...fromColumn('product code', 'prod'),
    ...fromColumn('product description', 'prod'),
    ...fromColumn('quantity', 'net_lb'),
    ...converted('quantity', 'always LBR', 'STN'),
    ['Field to change', 'Done'],
    ['Where should the account token be kept?', ''],
    ['Save the profile, then', 'Save only'],
  ];
  const lines: string[] = [];
  const r = await runPlain({
    services,
    draft: {
      profileName: 'plant',
      apiUrl: '',
      token: '',
      source: { driver: 'mssql', options: {} },
      table: '',
      key: [],
      changeColumn: null,
      template: 'auto',
    },
    prompter: scripted(script, seen),
    log: (l) => lines.push(l),
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n--- output ---\n${lines.join('\n')}`);
  });
  const text = lines.join('\n');
  assert.equal(script.length, 0, `unanswered: ${script.map((s) => s[0]).join(', ')}`);
  assert.match(text, /Step 1 of 10: Welcome/);
  assert.match(text, /Step 10 of 10: Handoff/);
  assert.match(text, /0 of 2 samples map/);
  assert.match(text, /2 of 2 samples map/);
  assert.match(text, /✔ Saved only: the daemon was not started/);
  const d = handed[0];
  assert.equal(d.timezone, 'America/Chicago');
  assert.equal(d.table, 'scale_tickets');
  assert.deepEqual(d.samples, { ticketNumbers: ['5001', '5002'], numberColumn: 'tkt' });
  assert.deepEqual(d.fields?.['customer.name'], { lookup: { table: 'customers', on: { id: { column: 'cust' } }, column: 'name' } });
  assert.deepEqual((d.fields?.['lines.quantity.value'] as { then: unknown[] }).then, [
    { number: {} },
    { convertUnit: { from: 'LBR', to: 'STN' } },
  ]);
  assert.equal(r.daemon, 'not started');
  // Everything was asked through the four prompt kinds: no JSON typed anywhere.
  assert.ok(!seen.some((m) => /json/i.test(m)));
  writeFileSync(join(dir, 'seen.txt'), seen.join('\n'));
});
