// Step 2: the database connection. Enter runs the connection test; on failure the error shows in red and
// the fields stay editable so the user can fix them and press Enter again.
import { useState, type JSX } from 'react';
import { Box, Text } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { SourceConfig } from '../../core/config/schema.js';
import type { ConnectionResult, SetupDraft, SetupServices, TableInfo } from '../../core/setup/services.js';
import { FieldForm, type FieldSpec } from './FieldForm.js';
import { Hint } from './Hint.js';
import { errorText, redact } from './format.js';

type State = { kind: 'idle' } | { kind: 'busy' } | { kind: 'error'; message: string };

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
  if (s.driver === 'sqlite') return { ...s, file: opt(v.file) };
  let port: number | undefined;
  if (opt(v.port)) {
    port = Number(v.port.trim());
    if (!Number.isInteger(port) || port < 1 || port > 65535) return 'The port must be a number from 1 to 65535.';
  }
  // The password is kept as typed (it may legitimately have spaces at the ends).
  return { ...s, host: opt(v.host), port, database: opt(v.database), user: opt(v.user), password: v.password || undefined };
}

export function ConnectionStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  onNext(patch: Partial<SetupDraft>, summary: string, tables: TableInfo[]): void;
}): JSX.Element {
  const { draft } = props;
  const [state, setState] = useState<State>({ kind: 'idle' });

  const test = async (v: Record<string, string>) => {
    const source = applyFields(draft.source, v);
    if (typeof source === 'string') return setState({ kind: 'error', message: source });
    setState({ kind: 'busy' });
    let res: ConnectionResult;
    try {
      res = await props.services.testConnection(source);
    } catch (err) {
      res = { ok: false, message: errorText(err) };
    }
    if (res.ok) props.onNext({ source }, `Connected: ${res.serverVersion} in ${res.latencyMs} ms`, res.tables);
    else setState({ kind: 'error', message: redact(res.message, [source.password, draft.token]) });
  };

  return (
    <Box flexDirection="column">
      <Text>
        Driver: <Text bold>{draft.source.driver}</Text>
      </Text>
      <FieldForm isActive={state.kind !== 'busy'} fields={fieldsFor(draft.source)} onSubmit={(v) => void test(v)} />
      {state.kind === 'busy' && <Spinner label="Testing the connection…" />}
      {state.kind === 'error' && <Text color="red">{state.message}</Text>}
      <Hint>{state.kind === 'error' ? 'Fix the fields, then Enter: test again · ↑/↓: move between fields' : 'Enter: test the connection · ↑/↓: move between fields'}</Hint>
    </Box>
  );
}
