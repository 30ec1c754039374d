// Step 3: the database. The driver first (SQL Server, PostgreSQL, MySQL/MariaDB, SQLite), then that
// driver's fields with a hint each; Enter runs the connection test. On failure the error shows in
// red and the fields stay editable, so the user fixes them and presses Enter again.
import type { JSX } from 'react';
import { Box, Text } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { Driver, SourceConfig } from '../../core/config/schema.js';
import type { ConnectionResult, SetupDraft, SetupServices } from '../../core/setup/services.js';
import { FieldForm, type FieldSpec } from './FieldForm.js';
import { Hint } from './Hint.js';
import { SelectList } from './SelectList.js';
import { errorText, redact } from './format.js';
import type { EscSlot } from './esc.js';
import { usePickThenCheck } from './pick-then-check.js';

export const DRIVERS: { driver: Driver; label: string; hint: string; port?: number }[] = [
  { driver: 'mssql', label: 'SQL Server', hint: 'SQL login (not DOMAIN\\user); host may be HOST\\INSTANCE or HOST,PORT', port: 1433 },
  { driver: 'postgres', label: 'PostgreSQL', hint: 'tables are schema-qualified (public.tickets)', port: 5432 },
  { driver: 'mysql', label: 'MySQL / MariaDB', hint: 'the database is the schema holding the ticket table', port: 3306 },
  { driver: 'sqlite', label: 'SQLite', hint: 'a database file, always opened read-only' },
];

const FIELD_HINTS: Record<Driver, Record<string, string>> = {
  mssql: {
    host: 'SCALE01\\SQLEXPRESS, SCALE01,1433 or (local)',
    port: 'empty with an instance name: the Browser (UDP 1434) answers',
    user: 'a read-only SQL login',
    password: '',
  },
  postgres: { host: 'db01 or 10.0.0.5', port: 'default 5432', user: 'a read-only login', password: '' },
  mysql: { host: 'db01 or 10.0.0.5', port: 'default 3306', user: 'a read-only login', password: '' },
  sqlite: { file: 'e.g. C:/ScaleHouse/tickets.db' },
};

function fieldsFor(s: SourceConfig): FieldSpec[] {
  if (s.driver === 'sqlite') return [{ id: 'file', label: 'File', value: s.file ?? '' }];
  return [
    { id: 'host', label: 'Host', value: s.host ?? '' },
    { id: 'port', label: 'Port', value: s.port === undefined ? '' : String(s.port) },
    { id: 'database', label: 'Database', value: s.database ?? '' },
    { id: 'user', label: 'User', value: s.user ?? '' },
    { id: 'password', label: 'Password', value: s.password ?? '', secret: true },
  ];
}

/** The edited fields applied to the source; empty means "not set". Returns an error sentence for a bad port. */
function applyFields(s: SourceConfig, v: Record<string, string>): SourceConfig | string {
  const opt = (x: string | undefined) => (x && x.trim() ? x.trim() : undefined);
  if (s.driver === 'sqlite') return { driver: 'sqlite', file: opt(v.file), options: s.options ?? {} };
  let port: number | undefined;
  if (opt(v.port)) {
    port = Number(v.port.trim());
    if (!Number.isInteger(port) || port < 1 || port > 65535) return 'The port must be a number from 1 to 65535.';
  }
  if (!opt(v.host)) return 'Enter the database host.';
  // The password is kept as typed (it may legitimately have spaces at the ends).
  return {
    ...s,
    file: undefined,
    host: opt(v.host),
    port,
    database: opt(v.database),
    user: opt(v.user),
    password: v.password || undefined,
  };
}

export function ConnectionStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  esc?: EscSlot;
  onNext(patch: Partial<SetupDraft>, summary: string, result: Extract<ConnectionResult, { ok: true }>): void;
}): JSX.Element {
  const { draft } = props;
  const { state, setState, picked: source, setPicked: setSource } = usePickThenCheck<SourceConfig>(props.esc);

  const test = async (v: Record<string, string>) => {
    const next = applyFields(source!, v);
    if (typeof next === 'string') return setState({ kind: 'error', message: next });
    setState({ kind: 'busy' });
    let res: ConnectionResult;
    try {
      res = await props.services.testConnection(next);
    } catch (err) {
      res = { ok: false, message: errorText(err) };
    }
    if (res.ok) {
      const clock = res.clock && res.clock.status !== 'pass' ? `; ! ${res.clock.detail}` : '';
      props.onNext({ source: next }, `Connected: ${res.serverVersion} in ${res.latencyMs} ms${clock}`, res);
    } else setState({ kind: 'error', message: redact(res.message, [next.password, draft.token]) });
  };

  if (source === null) {
    return (
      <Box flexDirection="column">
        <Text>Which database does the scale-house software use?</Text>
        <SelectList
          items={DRIVERS.map((d) => ({ label: d.label, value: d.driver, hint: d.hint }))}
          initial={Math.max(
            0,
            DRIVERS.findIndex((d) => d.driver === draft.source.driver),
          )}
          onSelect={(driver) =>
            // Values already given (flags, a resumed draft) stay; only the port falls back to the driver's default.
            setSource(
              driver === draft.source.driver
                ? { ...draft.source }
                : driver === 'sqlite'
                  ? { driver, file: draft.source.file, options: {} }
                  : { ...draft.source, driver, file: undefined, port: draft.source.port ?? DRIVERS.find((d) => d.driver === driver)?.port },
            )
          }
        />
        <Hint>↑/↓: choose · Enter: next</Hint>
      </Box>
    );
  }
  const meta = DRIVERS.find((d) => d.driver === source.driver)!;
  const hints = FIELD_HINTS[source.driver];
  return (
    <Box flexDirection="column">
      <Text>
        Driver: <Text bold>{meta.label}</Text> <Text dimColor>({meta.hint})</Text>
      </Text>
      <FieldForm
        key={source.driver}
        isActive={state.kind !== 'busy'}
        fields={fieldsFor(source)}
        hints={hints}
        onSubmit={(v) => void test(v)}
      />
      {state.kind === 'busy' ? <Spinner label="Testing the connection…" /> : null}
      {state.kind === 'error' ? <Text color="red">{state.message}</Text> : null}
      <Hint>
        {state.kind === 'error'
          ? 'Fix the fields, then Enter: test again · ↑/↓: move between fields'
          : 'Enter: test the connection · ↑/↓: move between fields'}
      </Hint>
    </Box>
  );
}
