// Step 1: API URL + account token; Enter checks the token against the API (GET /v1/whoami).
import { useState, type JSX } from 'react';
import { Box, Text } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { SetupDraft, SetupServices, TokenCheck } from '../../core/setup/services.js';
import { FieldForm } from './FieldForm.js';
import { Hint } from './Hint.js';
import { errorText, redact } from './format.js';

type State = { kind: 'idle' } | { kind: 'busy' } | { kind: 'error'; message: string };

export function TokenStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  onNext(patch: Partial<SetupDraft>, summary: string): void;
}): JSX.Element {
  const [state, setState] = useState<State>({ kind: 'idle' });

  const check = async (v: Record<string, string>) => {
    const apiUrl = v.apiUrl.trim();
    const token = v.token.trim();
    if (!apiUrl || !token) return setState({ kind: 'error', message: 'Enter both the API URL and the account token.' });
    setState({ kind: 'busy' });
    let res: TokenCheck;
    try {
      res = await props.services.checkToken(apiUrl, token);
    } catch (err) {
      res = { ok: false, message: errorText(err) };
    }
    if (res.ok) props.onNext({ apiUrl, token }, `${res.accountName} (${res.environment})`);
    else setState({ kind: 'error', message: redact(res.message, [token]) });
  };

  return (
    <Box flexDirection="column">
      <Text>The account token comes from the e-ticketing portal (Settings › Connectors).</Text>
      <FieldForm
        isActive={state.kind !== 'busy'}
        fields={[
          { id: 'apiUrl', label: 'API URL', value: props.draft.apiUrl },
          { id: 'token', label: 'Token', value: props.draft.token, secret: true },
        ]}
        onSubmit={(v) => void check(v)}
      />
      {state.kind === 'busy' && <Spinner label="Checking the token…" />}
      {state.kind === 'error' && <Text color="red">{state.message}</Text>}
      <Hint>Enter: check the token · ↑/↓: move between fields</Hint>
    </Box>
  );
}
