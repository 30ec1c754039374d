// Step 6: save the profile and start the daemon, then show where the config went and the dashboard URL.
import { useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { SetupDraft, SetupServices } from '../../core/setup/services.js';
import { Hint } from './Hint.js';
import { errorText, redact } from './format.js';

type Handoff = { dashboardUrl: string; configPath: string };
type State = { kind: 'idle' } | { kind: 'busy' } | { kind: 'error'; message: string } | { kind: 'ok'; result: Handoff };

export function HandoffStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  onFinish(result: Handoff): void;
}): JSX.Element {
  const { draft } = props;
  const [state, setState] = useState<State>({ kind: 'idle' });

  const start = async () => {
    setState({ kind: 'busy' });
    try {
      setState({ kind: 'ok', result: await props.services.handoff(draft) });
    } catch (err) {
      setState({ kind: 'error', message: redact(errorText(err), [draft.token, draft.source.password]) });
    }
  };

  useInput((_input, key) => {
    if (!key.return) return;
    if (state.kind === 'idle' || state.kind === 'error') void start();
    else if (state.kind === 'ok') props.onFinish(state.result);
  });

  if (state.kind === 'busy') return <Spinner label="Saving the profile and starting the daemon…" />;
  if (state.kind === 'ok') {
    return (
      <Box flexDirection="column">
        <Text color="green">✔ Daemon started</Text>
        <Text>
          Config:    <Text bold>{state.result.configPath}</Text>
        </Text>
        <Text>
          Dashboard: <Text bold color="cyan">{state.result.dashboardUrl}</Text>
        </Text>
        <Box marginTop={1}>
          <Text>Press Enter to finish</Text>
        </Box>
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Text>
        Save profile <Text bold>{draft.profileName}</Text> and start syncing <Text bold>{draft.table}</Text> in the background.
      </Text>
      {state.kind === 'error' && <Text color="red">{state.message}</Text>}
      <Hint>{state.kind === 'error' ? 'Enter: try again' : 'Enter: save and start the daemon'}</Hint>
    </Box>
  );
}
