// Plain text helpers shared by the Ink wizard and the headless path. No ink/react here, so the headless
// path stays light and these can be unit-tested as functions.
import type { ETicket } from '../../core/mapping/eticket.js';
import type { ChangeMode } from '../../core/config/schema.js';
import type { ChangeOption, HandoffResult, MappedSample, SampleResult, SetupDraft, TableInfo } from '../../core/setup/services.js';

/** The wizard's steps, in order: ids (saved with the draft) and titles. */
export const STEP_IDS = ['welcome', 'token', 'database', 'table', 'change', 'zone', 'samples', 'mapping', 'secrets', 'handoff'] as const;
export type StepId = (typeof STEP_IDS)[number];
export const STEP_TITLES = [
  'Welcome',
  'Account token',
  'Database connection',
  'Ticket table',
  'Change detection',
  'Plant time zone',
  'Sample tickets',
  'Mapping',
  'Secrets',
  'Handoff',
] as const;
export const stepIndex = (id: StepId): number => STEP_IDS.indexOf(id);
export const stepTitle = (id: StepId): string => STEP_TITLES[stepIndex(id)];
/** "Step 3 of 10: Database connection" — the same words in the wizard, the plain prompts and the headless log. */
export const stepLabel = (id: StepId): string => `Step ${stepIndex(id) + 1} of ${STEP_IDS.length}: ${stepTitle(id)}`;

/** A service message that echoes a secret never reaches the screen (core's one redaction). */
export { redact } from '../../core/config/secrets.js';

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** One cell of raw source data as a short single-line string. */
export function formatCell(value: unknown, max = 20): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  // A Date's UTC fields: drivers hand a zone-less DATETIME over as UTC, so this shows the stored wall time.
  else if (value instanceof Date)
    text = Number.isNaN(value.getTime()) ? 'Invalid date' : value.toISOString().slice(0, 16).replace('T', ' ');
  else if (value instanceof Uint8Array) text = `0x${Buffer.from(value).toString('hex')}`;
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}

// Column-name patterns for the compact sample table, best match first. Source schemas differ per
// vendor, so this is a guess; when it finds too little we fall back to the first columns.
const PICKS: [string, RegExp[]][] = [
  ['Ticket', [/^(ticket|tkt)[ _-]?(no|num|number|nbr)$/i, /ticket.*(no|num|number|nbr)/i, /^ticket$/i, /ticket/i]],
  ['Date', [/(ticket|issue|load|weigh|trans).*(date|time)/i, /^(?!.*(modif|updat|chang|creat)).*(date|time)/i]],
  ['Customer', [/cust.*name/i, /cust/i]],
  ['Product', [/prod/i, /material|item|mix/i]],
  ['Net', [/net/i]],
];

export function pickSampleColumns(columns: string[]): { label: string; column: string }[] {
  const used = new Set<string>();
  const picked: { label: string; column: string }[] = [];
  for (const [label, patterns] of PICKS) {
    for (const re of patterns) {
      const col = columns.find((c) => !used.has(c) && re.test(c));
      if (col) {
        used.add(col);
        picked.push({ label, column: col });
        break;
      }
    }
  }
  if (picked.length >= 3) return picked;
  return columns.slice(0, 5).map((c) => ({ label: c, column: c }));
}

/** The sample as aligned text lines: a header line then one line per row. */
export function sampleTableLines(sample: SampleResult, maxCell = 20): string[] {
  const cols = pickSampleColumns(sample.columns.length ? sample.columns : Object.keys(sample.rows[0] ?? {}));
  const cells = sample.rows.map((r) => cols.map((c) => formatCell(r[c.column], maxCell)));
  const widths = cols.map((c, i) => Math.max(c.label.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(cols.map((c) => c.label)), ...cells.map(line)];
}

/** The e-ticket fields the mapping review shows beside the raw row. */
export function mappedFields(t: ETicket): [string, string][] {
  const line = t.lines[0];
  const more = t.lines.length > 1 ? ` (+${t.lines.length - 1} more lines)` : '';
  return [
    ['Ticket number', t.ticketNumber],
    ['Issued at', t.issuedAt],
    ['Customer', t.customer.name],
    ['Product', line ? `${line.productCode} ${line.productDescription}${more}` : ''],
    ['Quantity', line ? `${line.quantity.value} ${line.quantity.unit}` : ''],
    ['Status', t.voidReason ? `${t.status} (${t.voidReason})` : t.status],
  ];
}

export function mappingSummary(samples: MappedSample[]): string {
  const filtered = samples.filter((s) => !s.ticket);
  if (samples.length === 0) return 'no sample rows to review';
  const base = `${samples.length - filtered.length} of ${samples.length} samples map to e-tickets`;
  if (filtered.length === 0) return base;
  const first = filtered[0];
  return `${base}, ${filtered.length} filtered (${first.ticketNumber || 'a row'}: ${first.problems[0] ?? 'no reason given'})`;
}

export function tableSummary(t: TableInfo, key: string[], changeColumn: string | null): string {
  const rows = t.rowCount === null ? '' : ` (${t.rowCount.toLocaleString('en-US')} rows)`;
  const keyText = key.length ? `key ${key.join(' + ')}` : 'no key';
  const change = changeColumn ? `changes by ${changeColumn}` : 'no change column';
  return `${t.name}${rows}, ${keyText}, ${change}`;
}

/** The key and change column to use for a table: the draft's own when it already names this table. */
export function keyFor(
  t: TableInfo,
  draft: { table: string; key: string[]; changeColumn: string | null; changeMode?: ChangeMode },
): {
  key: string[];
  changeColumn: string | null;
  changeMode?: ChangeMode;
} {
  if (t.name === draft.table && draft.key.length > 0)
    return { key: draft.key, changeColumn: draft.changeColumn, changeMode: draft.changeMode ?? t.suggestedChangeMode };
  return { key: t.suggestedKey, changeColumn: t.suggestedChangeColumn, changeMode: t.suggestedChangeMode };
}

const MODE_LABEL: Record<ChangeMode, string> = {
  changeTracking: 'Change Tracking',
  rowversion: 'rowversion',
  timestamp: 'last-modified time',
  increasing: 'increasing key',
  snapshot: 'snapshot (re-read recent)',
};

export function changeLabel(o: { mode: ChangeMode; column?: string | null }): string {
  return `${MODE_LABEL[o.mode]}${o.column ? ` (${o.column})` : ''}`;
}

/** The options for a table: discovery's list, else what the table info says. */
export function changeOptions(t: TableInfo | undefined, draft: SetupDraft): ChangeOption[] {
  if (t?.change?.length) return t.change;
  const mode = draft.changeMode ?? t?.suggestedChangeMode ?? (draft.changeColumn ? 'timestamp' : 'snapshot');
  const column = draft.changeColumn ?? t?.suggestedChangeColumn ?? undefined;
  return [{ mode, column, ready: true, reason: column ? `${column} is the change column` : 'no change column found', needs: null }];
}

export const DAEMON_TEXT: Record<NonNullable<HandoffResult['daemon']>, string> = {
  started: 'Daemon started',
  reloaded: 'The running daemon reloaded the config',
  'not reloaded': 'A daemon is running but did not reload',
  'not started': 'Saved only: the daemon was not started',
  'service installed': 'Boot service installed',
};
