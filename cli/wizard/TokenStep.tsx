// Step 2: the environment (sandbox / UAT / production), then the API URL and the account token;
// Enter checks the token against the API (GET /v1/whoami) and the API's clock (its Date header).
import type { JSX } from 'react';
import { Box, Text } from 'ink';
import { Spinner } from '@inkjs/ui';
import { ENVIRONMENTS, type Environment, type SetupDraft, type SetupServices, type TokenCheck } from '../../core/setup/services.js';
import { FieldForm } from './FieldForm.js';
import { Hint } from './Hint.js';
import { SelectList } from './SelectList.js';
import { errorText, redact } from './format.js';
import type { EscSlot } from './esc.js';
import { usePickThenCheck } from './pick-then-check.js';

const ENV_LABEL: Record<Environment, string> = { sandbox: 'Sandbox', uat: 'UAT (user acceptance testing)', production: 'Production' };

export function TokenStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  esc?: EscSlot;
  onNext(patch: Partial<SetupDraft>, summary: string): void;
}): JSX.Element {
  const { state, setState, picked: environment, setPicked: setEnvironment } = usePickThenCheck<Environment>(props.esc);

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
    if (!res.ok) return setState({ kind: 'error', message: redact(res.message, [token]) });
    if (environment && res.environment && res.environment.toLowerCase() !== environment) {
      return setState({
        kind: 'error',
        message: `This token belongs to the ${res.environment} environment, not ${environment}: choose ${res.environment} (Esc) or use a ${environment} token.`,
      });
    }
    const clock = res.clock ? `; ${res.clock.status === 'pass' ? '' : '! '}${res.clock.detail}` : '';
    props.onNext({ apiUrl, token, environment: environment ?? 'sandbox' }, `${res.accountName} (${res.environment})${clock}`);
  };

  if (environment === null) {
    const initial = Math.max(0, ENVIRONMENTS.indexOf(props.draft.environment ?? 'sandbox'));
    return (
      <Box flexDirection="column">
        <Text>Which environment of the e-ticketing service is this install for?</Text>
        <SelectList
          items={ENVIRONMENTS.map((e) => ({ label: ENV_LABEL[e], value: e }))}
          initial={initial}
          onSelect={(e) => setEnvironment(e)}
        />
        <Hint>↑/↓: choose · Enter: next</Hint>
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Text>
        Environment: <Text bold>{ENV_LABEL[environment]}</Text>. The account token comes from the portal (Settings › Connectors).
      </Text>
      <FieldForm
        isActive={state.kind !== 'busy'}
        fields={[
          { id: 'apiUrl', label: 'API URL', value: props.draft.apiUrl },
          { id: 'token', label: 'Token', value: props.draft.token, secret: true },
        ]}
        onSubmit={(v) => void check(v)}
      />
      {state.kind === 'busy' ? <Spinner label="Checking the token…" /> : null}
      {state.kind === 'error' ? <Text color="red">{state.message}</Text> : null}
      <Hint>Enter: check the token · ↑/↓: move between fields</Hint>
    </Box>
  );
}
