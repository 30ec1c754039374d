// Step 4: pull a few rows from the chosen table and show them as a compact table.
import type { JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { SampleResult, SetupDraft, SetupServices } from '../../core/setup/services.js';
import { Hint, RetryableError } from './Hint.js';
import { sampleTableLines } from './format.js';
import { useRetryable } from './use-retryable.js';

const LIMIT = 5;

export function SampleStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  onNext(summary: string, sample: SampleResult): void;
}): JSX.Element {
  const { draft } = props;
  const [state, retry] = useRetryable(() => props.services.pullSample(draft, LIMIT), [draft.token, draft.source.password]);

  useInput((_input, key) => {
    if (!key.return) return;
    if (state.kind === 'error') retry();
    else if (state.kind === 'ok') props.onNext(`${state.value.rows.length} rows from ${draft.table}`, state.value);
  });

  if (state.kind === 'busy') return <Spinner label={`Pulling ${LIMIT} sample tickets from ${draft.table}…`} />;
  if (state.kind === 'error') return <RetryableError message={state.message} />;
  const [head, ...lines] = sampleTableLines(state.value);
  return (
    <Box flexDirection="column">
      <Text>
        {state.value.rows.length} sample rows from <Text bold>{draft.table}</Text>
        {state.value.rows.length === 0 ? ': the table is empty, the mapping can only be checked once tickets arrive.' : ':'}
      </Text>
      {state.value.rows.length > 0 && (
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
