// `outpost setup --plain`: the wizard's steps as line prompts — for terminals where a full-screen UI
// does not work well (old consoles, a remote session that lags). `--screen-reader` goes further:
// every choice is a numbered list printed once and answered by typing its number, nothing is
// redrawn. Both walk the same steps as the Ink wizard, the mapping editor included, on the same
// services; the draft (without secrets) is saved after every step.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { confirm, input, password, select } from '@inquirer/prompts';
import type { SourceConfig } from '../../core/config/schema.js';
import { isSecretRef, SECRET_NAME } from '../../core/config/secrets.js';
import { ENUMS } from '../../core/mapping/catalog.js';
import { CONVERTIBLE_UNITS } from '../../core/mapping/units.js';
import type { Scalar, SkipRule } from '../../core/mapping/template.js';
import {
  addTransform,
  clearTransforms,
  describeExpression,
  describeSkipRule,
  distinctInputs,
  failureReasons,
  mappedCountText,
  resetField,
  setColumn,
  setConstant,
  setLookup,
  skipRule,
  unmap,
  type MappingEval,
} from '../../core/setup/editor.js';
import type { SavedDraft } from '../../core/setup/draft-store.js';
import { DEFAULT_SECRET_NAMES } from '../../core/setup/handoff.js';
import {
  ENVIRONMENTS,
  type HandoffAction,
  type HandoffResult,
  type SampleSpec,
  type SecretPlacement,
  type SetupDraft,
  type SetupServices,
  type TableInfo,
} from '../../core/setup/services.js';
import { allZones, offsetNow, searchZones, suggestZone } from '../../core/setup/zones.js';
import { VERSION } from '../../core/version.js';
import {
  DAEMON_TEXT,
  changeLabel,
  changeOptions,
  errorText,
  formatCell,
  keyFor,
  redact,
  sampleTableLines,
  stepLabel,
  tableSummary,
  type StepId,
} from '../wizard/format.js';

type Io = { log: (line: string) => void };

/** Cancelled with Ctrl+C. */
export class SetupCancelled extends Error {}

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

/** The four questions the plain setup asks, answered by inquirer or by plain numbered lines. */
export interface Prompter {
  input(message: string, opts?: { default?: string; validate?: (v: string) => true | string }): Promise<string>;
  secret(message: string): Promise<string>;
  select<T>(message: string, choices: Choice<T>[], def?: T): Promise<T>;
  confirm(message: string, def: boolean): Promise<boolean>;
  close?(): void;
}

async function ask<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if ((e as Error).name === 'ExitPromptError' || e instanceof SetupCancelled) throw new SetupCancelled('Setup cancelled.');
    throw e;
  }
}

export function inquirerPrompter(): Prompter {
  return {
    input: (message, o = {}) => ask(input({ message, default: o.default || undefined, validate: o.validate })),
    secret: (message) => ask(password({ message, mask: '•' })),
    select: <T>(message: string, choices: Choice<T>[], def?: T) => ask(select<T>({ message, choices, default: def, pageSize: 12 })),
    confirm: (message, def) => ask(confirm({ message, default: def })),
  };
}

/** Numbered choices, one line per prompt, nothing redrawn: for screen readers and dumb terminals. */
export function linePrompter(stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout): Prompter {
  let muted = false;
  const out = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) stdout.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: stdin, output: out, terminal: false });
  const lines: string[] = [];
  const waiting: ((l: string | null) => void)[] = [];
  let closed = false;
  rl.on('line', (l) => (waiting.length ? waiting.shift()!(l) : lines.push(l)));
  rl.on('close', () => {
    closed = true;
    while (waiting.length) waiting.shift()!(null);
  });
  rl.on('SIGINT', () => {
    closed = true;
    while (waiting.length) waiting.shift()!(null);
  });
  const say = (s: string) => stdout.write(s + '\n');
  const read = async (prompt: string): Promise<string> => {
    stdout.write(prompt);
    const l = lines.length ? lines.shift()! : closed ? null : await new Promise<string | null>((r) => waiting.push(r));
    if (l === null) throw new SetupCancelled('Setup cancelled.');
    return l;
  };
  return {
    async input(message, o = {}) {
      for (;;) {
        const v = (await read(`${message}${o.default ? ` [${o.default}]` : ''}: `)).trim() || o.default || '';
        const ok = o.validate ? o.validate(v) : true;
        if (ok === true) return v;
        say(ok);
      }
    },
    async secret(message) {
      muted = true;
      try {
        const v = await read(`${message} (not shown): `);
        say('');
        return v;
      } finally {
        muted = false;
      }
    },
    async select<T>(message: string, choices: Choice<T>[], def?: T): Promise<T> {
      say(message);
      choices.forEach((c, i) => say(`  ${i + 1}. ${c.name}${c.description ? ` (${c.description})` : ''}`));
      const d =
        Math.max(
          0,
          choices.findIndex((c) => c.value === def),
        ) + 1;
      for (;;) {
        const t = (await read(`Number 1-${choices.length} [${d}]: `)).trim();
        const n = t === '' ? d : Number(t);
        if (Number.isInteger(n) && n >= 1 && n <= choices.length) return choices[n - 1].value;
        say(`Type a number from 1 to ${choices.length}.`);
      }
    },
    async confirm(message, def) {
      const t = (await read(`${message} (${def ? 'Y/n' : 'y/N'}): `)).trim().toLowerCase();
      return t === '' ? def : t.startsWith('y');
    },
    close: () => rl.close(),
  };
}

export async function runPlain(
  opts: {
    services: SetupServices;
    draft: SetupDraft;
    resume?: SavedDraft | null;
    onStep?(draft: SetupDraft, step: StepId): void;
    screenReader?: boolean;
    prompter?: Prompter;
  } & Io,
): Promise<HandoffResult & { draft: SetupDraft }> {
  const { services, log } = opts;
  const p = opts.prompter ?? (opts.screenReader ? linePrompter() : inquirerPrompter());
  let draft: SetupDraft = structuredClone(opts.draft);
  const header = (id: StepId) => {
    opts.onStep?.(draft, id);
    log(`\n${stepLabel(id)}`);
  };
  const secrets = () => [draft.token, draft.source.password];
  try {
    // Welcome
    header('welcome');
    log(`Outpost ${VERSION}: token, database, table, change detection, time zone, samples, mapping, secrets, handoff.`);
    for (const c of (await services.checkEnvironment?.()) ?? [])
      log(`${c.status === 'pass' ? '✔' : c.status === 'warn' ? '!' : '✖'} ${c.name}: ${c.detail}`);
    if (
      opts.resume &&
      (await p.confirm(
        `Resume the setup saved at "${opts.resume.step}" (${opts.resume.savedAt.slice(0, 16)} UTC)? Secrets are asked again`,
        true,
      ))
    ) {
      const saved = opts.resume.draft;
      draft = {
        ...saved,
        token: saved.token || draft.token,
        source: { ...saved.source, password: saved.source.password ?? draft.source.password },
      };
    }

    // Account token
    header('token');
    for (;;) {
      draft.environment = await p.select(
        'Environment',
        ENVIRONMENTS.map((e) => ({ name: e === 'uat' ? 'UAT' : e[0].toUpperCase() + e.slice(1), value: e })),
        draft.environment ?? 'sandbox',
      );
      draft.apiUrl = await p.input('API URL', {
        default: draft.apiUrl,
        validate: (v) => /^https?:\/\/\S+$/.test(v) || 'Enter a URL like https://api.example.com',
      });
      const typed = await p.secret(draft.token ? 'Account token (Enter keeps the one given)' : 'Account token');
      if (typed) draft.token = typed;
      const r = await services.checkToken(draft.apiUrl, draft.token).catch((e: unknown) => ({ ok: false as const, message: errorText(e) }));
      if (r.ok && r.environment && r.environment.toLowerCase() !== draft.environment) {
        log(`✖ This token belongs to the ${r.environment} environment, not ${draft.environment}.`);
        continue;
      }
      if (r.ok) {
        log(`✔ ${r.accountName} (${r.environment})${r.clock ? `; ${r.clock.detail}` : ''}`);
        break;
      }
      log(`✖ ${redact(r.message, secrets())}`);
    }

    // Database
    header('database');
    let tables: TableInfo[];
    let dbZone: string | null | undefined;
    for (;;) {
      draft.source = await askSource(p, draft.source);
      const r = await services.testConnection(draft.source).catch((e: unknown) => ({ ok: false as const, message: errorText(e) }));
      if (r.ok) {
        log(`✔ Connected: ${r.serverVersion} in ${r.latencyMs} ms${r.clock ? `; ${r.clock.detail}` : ''}`);
        tables = r.tables;
        dbZone = r.timezone;
        break;
      }
      log(`✖ ${redact(r.message, secrets())}`);
    }
    if (tables.length === 0)
      throw new Error("No tables were found on this connection; check the database name and the login's read rights.");

    // Table
    header('table');
    const name = await p.select(
      'Ticket table (best first)',
      tables.map((t) => ({
        name: `${t.name}${t.rowCount === null ? '' : ` (${t.rowCount} rows)`}`,
        value: t.name,
        description: t.notes?.slice(0, 2).join('; '),
      })),
      tables.some((t) => t.name === draft.table) ? draft.table : tables[0].name,
    );
    const table = tables.find((t) => t.name === name)!;
    const k = keyFor(table, draft);
    if (table.name !== draft.table) draft.fields = {};
    draft = { ...draft, table: table.name, key: k.key, changeColumn: k.changeColumn, changeMode: k.changeMode };
    log(`✔ ${tableSummary(table, k.key, k.changeColumn)}`);

    // Change detection
    header('change');
    const options = changeOptions(table, draft);
    const suggested = Math.max(
      0,
      options.findIndex((o) => o.ready),
    );
    for (const [i, o] of options.entries())
      log(`  ${changeLabel(o)}${i === suggested ? ' (suggested)' : ''}: ${o.reason}${o.needs ? `. From a DBA: ${o.needs}` : ''}`);
    const pick = await p.select(
      'Change detection',
      options.map((o, i) => ({ name: `${changeLabel(o)}${i === suggested ? ' (suggested)' : ''}`, value: i })),
      options.findIndex((o) => o.mode === draft.changeMode && (o.column ?? null) === draft.changeColumn) >= 0
        ? options.findIndex((o) => o.mode === draft.changeMode && (o.column ?? null) === draft.changeColumn)
        : suggested,
    );
    draft.changeMode = options[pick].mode;
    draft.changeColumn = options[pick].column ?? null;
    log(`✔ ${changeLabel(options[pick])}`);

    // Plant time zone
    header('zone');
    const sug = suggestZone({ draft: draft.timezone, database: dbZone });
    log(`Suggested: ${sug.zone} (${sug.why})`);
    for (;;) {
      const q = await p.input('Time zone (Enter: the suggestion; or type part of a name to search)', { default: sug.zone });
      const exact = allZones().find((z) => z.toLowerCase() === q.toLowerCase());
      if (exact) {
        draft.timezone = exact;
        break;
      }
      const found = searchZones(q).slice(0, 15);
      if (found.length === 0) {
        log(`No zone matches "${q}".`);
        continue;
      }
      draft.timezone = await p.select(
        'Which zone?',
        found.map((z) => ({ name: `${z} (${offsetNow(z)})`, value: z })),
      );
      break;
    }
    log(`✔ ${draft.timezone} (${offsetNow(draft.timezone)} now)`);

    // Samples
    header('samples');
    let sample;
    for (;;) {
      const mode = await p.select(
        'Check the mapping on',
        [
          { name: 'the latest tickets', value: 'latest' as const },
          { name: 'ticket numbers typed from paper tickets (5006 finds 005006)', value: 'numbers' as const },
        ],
        draft.samples?.ticketNumbers?.length ? 'numbers' : 'latest',
      );
      let spec: SampleSpec;
      if (mode === 'latest') {
        const n = await p.input('How many', {
          default: String(draft.samples?.latest ?? 5),
          validate: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 200) || 'A number from 1 to 200',
        });
        spec = { latest: Number(n) };
      } else {
        const numbers = (
          await p.input('Ticket numbers (commas or spaces)', {
            default: draft.samples?.ticketNumbers?.join(', '),
            validate: (v) => v.trim() !== '' || 'Type at least one number',
          })
        )
          .split(/[,;\s]+/)
          .filter(Boolean);
        const guess =
          (draft.fields?.ticketNumber as { column?: string } | undefined)?.column ??
          table.columns.find((c) => /(ticket|tkt|tick).*(no|num|nbr)/i.test(c)) ??
          table.columns[0];
        const col = await p.select(
          'The column they are in',
          table.columns.map((c) => ({ name: c, value: c })),
          draft.samples?.numberColumn ?? guess,
        );
        spec = { ticketNumbers: numbers, numberColumn: col };
        if (!draft.fields?.ticketNumber) draft.fields = { ...(draft.fields ?? {}), ticketNumber: { column: col, then: ['trim'] } };
      }
      try {
        sample = await services.pullSample({ ...draft, samples: spec }, spec);
        draft.samples = spec;
        break;
      } catch (e) {
        log(`✖ ${redact(errorText(e), secrets())}`);
      }
    }
    for (const line of sampleTableLines(sample)) log(`  ${line}`);
    if (sample.notFound?.length) log(`! Not found: ${sample.notFound.join(', ')}`);

    // Mapping
    header('mapping');
    let model = await editMapping(p, services, draft, sample.rows, log, (fields, skip) => {
      draft.fields = fields;
      draft.skip = skip;
      opts.onStep?.(draft, 'mapping');
    });

    // Secrets
    header('secrets');
    draft.secrets = await askSecrets(p, draft);

    // Handoff
    for (;;) {
      header('handoff');
      log(
        `Profile ${draft.profileName} (${draft.environment}) → ${draft.apiUrl}; table ${draft.table}; ${changeLabel({ mode: draft.changeMode ?? 'timestamp', column: draft.changeColumn })}; zone ${draft.timezone}`,
      );
      log(`Mapping: ${mappedCountText(model)}`);
      if (model.mapped < model.total) {
        log(`Only ${model.mapped} of ${model.total} samples map; the others would be filtered (not sent) until the mapping is fixed:`);
        for (const r of failureReasons(model).slice(0, 3)) log(`  • ${r.reason} (${r.count} of ${model.total})`);
        const back = await p.select(
          'What now?',
          [
            { name: 'Back to the mapping', value: true },
            { name: 'Save anyway (filtered tickets show on the dashboard with their reason)', value: false },
          ],
          true,
        );
        if (back) {
          header('mapping');
          model = await editMapping(p, services, draft, sample.rows, log, (fields, skip) => {
            draft.fields = fields;
            draft.skip = skip;
            opts.onStep?.(draft, 'mapping');
          });
          continue;
        }
      }
      break;
    }
    const action = await p.select<HandoffAction>(
      'Save the profile, then',
      [
        { name: 'Start the daemon now (or reload the running one)', value: 'start' },
        { name: 'Install the boot service', value: 'service' },
        { name: 'Save only', value: 'save' },
      ],
      'start',
    );
    const r = await services.handoff(draft, action);
    log(`✔ ${r.daemon ? DAEMON_TEXT[r.daemon] : 'Saved'}; profile saved to ${r.configPath}`);
    for (const n of r.notes ?? []) log(`  ${n}`);
    if ((r.daemon === 'started' || r.daemon === 'reloaded') && services.recentAcks) {
      log('Waiting for the first tickets to be acknowledged…');
      const deadline = Date.now() + 30_000;
      for (;;) {
        const acks = await services.recentAcks(draft).catch(() => []);
        if (acks.length) {
          log(`✔ First tickets acknowledged by the API: ${acks.map((a) => `${a.ticketNumber} (${a.action})`).join(', ')}`);
          break;
        }
        if (Date.now() > deadline) {
          log('! No ticket acknowledged within 30 s; the dashboard shows what the daemon is doing.');
          break;
        }
        await new Promise((res) => setTimeout(res, 700));
      }
    }
    return { ...r, draft };
  } finally {
    p.close?.();
  }
}

const MARKS = { mapped: '✔', empty: '·', problem: '✖' } as const;

/** The mapping editor as line prompts: pick a field, then what it comes from; every change re-maps all samples. */
export async function editMapping(
  p: Prompter,
  services: SetupServices,
  draft: SetupDraft,
  rows: Record<string, unknown>[],
  log: (l: string) => void,
  onFields: (fields: Record<string, unknown>, skip: SkipRule[]) => void,
): Promise<MappingEval> {
  if (!services.evaluateMapping) throw new Error('This setup cannot edit mappings (no mapping service).');
  let fields: Record<string, unknown> = { ...(draft.fields ?? {}) };
  let skip = [...(draft.skip ?? [])];
  const lookups = (await services.lookupOptions?.(draft).catch(() => [])) ?? [];
  let good: { fields: Record<string, unknown>; skip: SkipRule[] } | null = null;
  for (;;) {
    const m = await services.evaluateMapping({ ...draft, fields, skip }, rows);
    if (m.error) {
      // The last change does not compile: say why and go back to the last mapping that did.
      if (!good) throw new Error(`The mapping cannot be evaluated: ${m.error}`);
      log(`✖ ${m.error}`);
      ({ fields, skip } = good);
      continue;
    }
    good = { fields, skip };
    log(`${mappedCountText(m)}`);
    for (const f of m.fields.filter((x) => x.failing > 0 || (x.field.required && x.field.expression)).slice(0, 12)) {
      const first = f.cells.find((c) => c.mark === 'problem');
      log(
        `  ${f.failing ? '✖' : '✔'} ${f.field.label}${f.field.required ? '*' : ''}: ${describeExpression(f.field.expression)} [${f.cells.map((c) => MARKS[c.mark]).join('')}]${first ? ` ${first.problem}` : ''}`,
      );
    }
    const all = m.total > 0 && m.mapped === m.total;
    const choice = await p.select<string>(
      'Field to change',
      [
        { name: all ? 'Done: every sample maps' : `Done (${m.total - m.mapped} of ${m.total} do not map yet)`, value: '' },
        { name: `Skip rules (${skip.length}): rows they match are never sent`, value: '#skip' },
        ...m.fields.map((f) => ({
          name: `${f.failing ? '✖' : f.field.expression ? '✔' : '·'} ${f.field.label}${f.field.required ? '*' : ''}: ${describeExpression(f.field.expression)}`,
          value: f.field.path,
          description: f.cells[0]?.value ? `sample 1: ${f.cells[0].value}` : undefined,
        })),
      ],
      all ? '' : m.fields.find((f) => f.failing > 0)?.field.path,
    );
    if (choice === '') {
      onFields(fields, skip);
      return m;
    }
    if (choice === '#skip') {
      for (const r of skip) log(`  ${describeSkipRule(r)}`);
      const what = await p.select<number>('Skip rules', [
        { name: 'add a rule', value: -1 },
        ...skip.map((r, i) => ({ name: `remove: ${describeSkipRule(r)}`, value: i })),
        { name: 'back', value: -2 },
      ]);
      if (what >= 0) skip = skip.filter((_, i) => i !== what);
      else if (what === -1) {
        const cols = Object.keys(rows[0] ?? {}).filter((c) => !c.startsWith('__'));
        const column = await p.select(
          'Skip rows by which column?',
          cols.map((c) => ({ name: c, value: c, description: formatCell(rows[0]?.[c], 30) })),
        );
        const values = [
          ...new Set(
            rows
              .map((r) => r[column])
              .filter((v) => v !== null && v !== undefined && String(v).trim() !== '')
              .map((v) => String(v).trim()),
          ),
        ];
        const test = await p.select<{ equals: Scalar } | { empty: true }>(`Skip the row when ${column}`, [
          ...values.map((v) => ({ name: `is ${JSON.stringify(v)}`, value: { equals: v } })),
          { name: 'is empty', value: { empty: true } },
        ]);
        const def = 'equals' in test ? `${column} is ${JSON.stringify(test.equals)}` : `${column} is empty`;
        const reason = await p.input('Reason shown', { default: def });
        skip = [...skip, skipRule(column, test, reason || def)];
      }
      onFields(fields, skip);
      continue;
    }
    const row = m.fields.find((f) => f.field.path === choice)!;
    const base = row.field.expression;
    const enumValues = ENUMS[row.field.type];
    const columns = Object.keys(rows[0] ?? {}).filter((c) => c !== '__lines');
    const actions: Choice<string>[] = [
      { name: 'take it from a column', value: 'column' },
      ...(lookups.length ? [{ name: `look it up in another table (${lookups.map((l) => l.table).join(', ')})`, value: 'lookup' }] : []),
      { name: 'a fixed value', value: 'constant' },
    ];
    if (base)
      actions.push(
        { name: 'trim spaces', value: 'trim' },
        { name: 'convert a unit', value: 'unit' },
        { name: 'map values', value: 'map' },
        { name: 'a default when empty', value: 'default' },
      );
    if (base?.then?.length) actions.push({ name: 'remove the transforms', value: 'clear' });
    if (!row.field.required && base) actions.push({ name: 'not mapped', value: 'unmap' });
    if (choice in fields) actions.push({ name: "back to the template's mapping", value: 'reset' });
    actions.push({ name: 'cancel', value: 'cancel' });
    const a = await p.select(`${row.field.label}: what should it be?`, actions);
    try {
      if (a === 'column') {
        const c = await p.select(
          'Column',
          columns.map((x) => ({ name: x, value: x, description: formatCell(rows[0]?.[x], 30) })),
        );
        fields = setColumn(fields, choice, c, base);
      } else if (a === 'lookup') {
        const o = await p.select(
          'Through which foreign key?',
          lookups.map((l) => ({ name: l.label, value: l })),
        );
        const col = await p.select(
          `Which column of ${o.table}?`,
          o.columns.map((c) => ({ name: c, value: c })),
        );
        fields = setLookup(fields, choice, {
          table: o.table,
          on: Object.fromEntries(Object.entries(o.on).map(([ref, mine]) => [ref, { column: mine }])),
          column: col,
        });
      } else if (a === 'constant') {
        const v = enumValues
          ? await p.select(
              'Value',
              enumValues.map((x) => ({ name: x, value: x })),
            )
          : await p.input('Value');
        const isNum = (row.field.type === 'number' || row.field.type === 'integer') && v !== '' && Number.isFinite(Number(v));
        fields = setConstant(fields, choice, isNum ? Number(v) : v);
      } else if (a === 'trim') fields = addTransform(fields, choice, 'trim', base);
      else if (a === 'default') {
        const v = enumValues
          ? await p.select(
              'When empty, use',
              enumValues.map((x) => ({ name: x, value: x })),
            )
          : await p.input('When empty, use');
        fields = addTransform(fields, choice, { default: v }, base);
      } else if (a === 'unit') {
        const from = await p.select('The value is in which unit?', [
          ...columns.map((c) => ({ name: `column ${c}`, value: `col:${c}` })),
          ...['LBR', 'STN', 'TNE', 'KGM'].map((u) => ({ name: `always ${u}`, value: `unit:${u}` })),
        ]);
        const to = await p.select(
          'Send it in',
          CONVERTIBLE_UNITS.map((u) => ({ name: u, value: u })),
          'STN',
        );
        const src = from.startsWith('col:') ? { column: from.slice(4) } : from.slice(5);
        const hasNumber = (base?.then ?? []).some((x) => typeof x === 'object' && 'number' in x);
        const withNumber = hasNumber ? fields : addTransform(fields, choice, { number: {} }, base);
        fields = addTransform(
          withNumber,
          choice,
          {
            convertUnit: {
              from: src,
              to: to as (typeof CONVERTIBLE_UNITS)[number],
              ...(typeof src === 'string' ? {} : { unitMap: { LB: 'LBR', LBS: 'LBR', TN: 'STN', TON: 'STN', T: 'TNE', KG: 'KGM' } }),
            },
          },
          base,
        );
      } else if (a === 'map') {
        const inputs = distinctInputs(base, rows, choice.startsWith('lines.'), draft.timezone);
        const map: Record<string, Scalar> = {};
        for (const i of inputs)
          map[i] = enumValues
            ? await p.select(
                `"${i}" becomes`,
                enumValues.map((x) => ({ name: x, value: x })),
              )
            : await p.input(`"${i}" becomes`, { default: i });
        if (inputs.length) fields = addTransform(fields, choice, { map, caseInsensitive: true }, base);
      } else if (a === 'clear') fields = clearTransforms(fields, choice, base);
      else if (a === 'unmap') fields = unmap(fields, choice);
      else if (a === 'reset') fields = resetField(fields, choice);
    } catch (e) {
      if (e instanceof SetupCancelled) throw e;
      log(`✖ ${errorText(e)}`);
    }
    onFields(fields, skip);
  }
}

async function askSecrets(p: Prompter, draft: SetupDraft): Promise<SetupDraft['secrets']> {
  const out: NonNullable<SetupDraft['secrets']> = { ...draft.secrets };
  const todo: ('token' | 'password')[] = [];
  if (draft.token && !isSecretRef(draft.token)) todo.push('token');
  if (draft.source.driver !== 'sqlite' && draft.source.password && !isSecretRef(draft.source.password)) todo.push('password');
  for (const w of todo) {
    const label = w === 'token' ? 'the account token' : 'the database password';
    const kind = await p.select(
      `Where should ${label} be kept?`,
      [
        { name: 'a secrets file beside the config (mode 0600)', value: 'file' as const, description: `secret:${DEFAULT_SECRET_NAMES[w]}` },
        { name: 'an environment variable of the service', value: 'env' as const },
        { name: 'in the config file itself (not recommended)', value: 'inline' as const },
      ],
      out[w]?.kind ?? 'file',
    );
    let placement: SecretPlacement;
    if (kind === 'env')
      placement = {
        kind: 'env',
        name: await p.input('Variable name', {
          default: DEFAULT_SECRET_NAMES[w],
          validate: (v) => SECRET_NAME.test(v) || 'Capital letters, digits and _',
        }),
      };
    else placement = kind === 'file' ? { kind: 'file', name: DEFAULT_SECRET_NAMES[w] } : { kind: 'inline' };
    out[w] = placement;
  }
  return out;
}

async function askSource(p: Prompter, s: SourceConfig): Promise<SourceConfig> {
  const driver = await p.select(
    'Database',
    [
      { name: 'SQL Server', value: 'mssql' as const, description: 'a SQL login, not DOMAIN\\user' },
      { name: 'PostgreSQL', value: 'postgres' as const },
      { name: 'MySQL / MariaDB', value: 'mysql' as const },
      { name: 'SQLite file', value: 'sqlite' as const, description: 'opened read-only' },
    ],
    s.driver,
  );
  if (driver === 'sqlite') return { driver, file: await p.input('Database file', { default: s.file }), options: s.options ?? {} };
  const same = driver === s.driver;
  const host = await p.input(driver === 'mssql' ? 'Host (HOST, HOST\\INSTANCE or HOST,PORT)' : 'Host', {
    default: same ? s.host : undefined,
    validate: (v) => v !== '' || 'Enter the host',
  });
  const portText = await p.input('Port (empty: the default)', {
    default: same && s.port ? String(s.port) : '',
    validate: (v) => v === '' || (/^\d+$/.test(v) && Number(v) < 65536) || 'A port is a number up to 65535',
  });
  const database = await p.input('Database name', {
    default: same ? s.database : undefined,
    validate: (v) => v !== '' || 'Enter the database name',
  });
  const user = await p.input('Login (a database login, read-only)', {
    default: same ? s.user : undefined,
    validate: (v) => v !== '' || 'Enter the login',
  });
  const typed = await p.secret(s.password ? 'Password (Enter keeps the one given)' : 'Password');
  return {
    driver,
    host,
    port: portText ? Number(portText) : undefined,
    database,
    user,
    password: typed || s.password,
    options: s.options ?? {},
  };
}
