// Step 4: pull a few rows from the chosen table and show them as a compact table.
import { useEffect, useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { SampleResult, SetupDraft, SetupServices } from '../../core/setup/services.js';
import { Hint } from './Hint.js';
import { errorText, redact, sampleTableLines } from './format.js';

const LIMIT = 5;

type State = { kind: 'busy' } | { kind: 'error'; message: string } | { kind: 'ok'; sample: SampleResult };

export function SampleStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  onNext(summary: string, sample: SampleResult): void;
}): JSX.Element {
  const { draft } = props;
  const [state, setState] = useState<State>({ kind: 'busy' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setState({ kind: 'busy' });
    props.services.pullSample(draft, LIMIT).then(
      (sample) => live && setState({ kind: 'ok', sample }),
      (err: unknown) => live && setState({ kind: 'error', message: redact(errorText(err), [draft.token, draft.source.password]) }),
    );
    return () => {
      live = false;
    };
  }, [attempt]); // eslint-disable-line react-hooks/exhaustive-deps

  useInput((_input, key) => {
    if (!key.return) return;
    if (state.kind === 'error') setAttempt((a) => a + 1);
    else if (state.kind === 'ok') props.onNext(`${state.sample.rows.length} rows from ${draft.table}`, state.sample);
  });

  if (state.kind === 'busy') return <Spinner label={`Pulling ${LIMIT} sample tickets from ${draft.table}…`} />;
  if (state.kind === 'error') {
    return (
      <Box flexDirection="column">
        <Text color="red">{state.message}</Text>
        <Hint>Enter: try again</Hint>
      </Box>
    );
  }
  const [head, ...lines] = sampleTableLines(state.sample);
  return (
    <Box flexDirection="column">
      <Text>
        {state.sample.rows.length} sample rows from <Text bold>{draft.table}</Text>
        {state.sample.rows.length === 0 ? ': the table is empty, the mapping can only be checked once tickets arrive.' : ':'}
      </Text>
      {state.sample.rows.length > 0 && (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>{head}</Text>
          {lines.map((l, i) => (
            <Text key={i}>{l}</Text>
          ))}
        </Box>
      )}
      <Hint>Enter: review the mapping</Hint>
    </Box>
  );
}
