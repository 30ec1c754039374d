// Step 5: each sample's raw values beside the e-ticket fields it maps to, or the reasons it would be
// filtered (in yellow). ←/→ pages through the samples; Enter accepts the mapping.
import { useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { MappedSample, SetupDraft, SetupServices } from '../../core/setup/services.js';
import { Hint, RetryableError } from './Hint.js';
import { formatCell, mappedFields, mappingSummary, truncate } from './format.js';
import { useRetryable } from './use-retryable.js';

const RAW_LIMIT = 12;
const RAW_WIDTH = 18 + 1 + 24 + 2;

export function MappingStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  rows: Record<string, unknown>[];
  onNext(summary: string): void;
}): JSX.Element {
  const { draft } = props;
  const [state, retry] = useRetryable(() => props.services.previewMapping(draft, props.rows), [draft.token, draft.source.password]);
  const [page, setPage] = useState(0);

  const count = state.kind === 'ok' ? state.value.length : 0;
  useInput((_input, key) => {
    if (state.kind === 'error' && key.return) retry();
    if (state.kind !== 'ok') return;
    if (key.leftArrow) setPage((p) => Math.max(0, p - 1));
    else if (key.rightArrow) setPage((p) => Math.min(count - 1, p + 1));
    else if (key.return) props.onNext(mappingSummary(state.value));
  });

  if (state.kind === 'busy') return <Spinner label="Mapping the samples to e-tickets…" />;
  if (state.kind === 'error') return <RetryableError message={state.message} />;
  if (count === 0) {
    return (
      <Box flexDirection="column">
        <Text color="yellow">There are no sample rows to review yet.</Text>
        <Hint>Enter: continue</Hint>
      </Box>
    );
  }
  const s = state.value[Math.min(page, count - 1)];
  return (
    <Box flexDirection="column">
      <Text>
        Sample {Math.min(page, count - 1) + 1} of {count}: ticket <Text bold>{s.ticketNumber}</Text>
      </Text>
      <Text dimColor>{mappingSummary(state.value)}</Text>
      <Box marginTop={1}>
        <RawColumn raw={s.raw} />
        <Box flexDirection="column">
          {s.ticket ? <MappedColumn sample={s} /> : <ProblemsColumn problems={s.problems} />}
        </Box>
      </Box>
      <Hint>←/→: previous/next sample · Enter: accept the mapping</Hint>
    </Box>
  );
}

function RawColumn(props: { raw: Record<string, unknown> }): JSX.Element {
  const entries = Object.entries(props.raw);
  const width = Math.min(18, Math.max(0, ...entries.map(([k]) => k.length)));
  return (
    // A fixed width keeps the e-ticket column still while paging between samples.
    <Box flexDirection="column" width={RAW_WIDTH}>
      <Text bold underline>Source row</Text>
      {entries.slice(0, RAW_LIMIT).map(([k, v]) => (
        <Text key={k}>
          <Text dimColor>{truncate(k, 18).padEnd(width)}</Text> {formatCell(v, 24)}
        </Text>
      ))}
      {entries.length > RAW_LIMIT && <Text dimColor>… {entries.length - RAW_LIMIT} more columns</Text>}
    </Box>
  );
}

function MappedColumn(props: { sample: MappedSample }): JSX.Element {
  const fields = props.sample.ticket ? mappedFields(props.sample.ticket) : [];
  const width = Math.max(...fields.map(([k]) => k.length));
  return (
    <Box flexDirection="column">
      <Text bold underline color="green">e-ticket</Text>
      {fields.map(([k, v]) => (
        <Text key={k}>
          <Text dimColor>{k.padEnd(width)}</Text> {truncate(v, 40)}
        </Text>
      ))}
    </Box>
  );
}

function ProblemsColumn(props: { problems: string[] }): JSX.Element {
  return (
    <Box flexDirection="column">
      <Text bold underline color="yellow">Filtered: not sent until fixed</Text>
      {(props.problems.length ? props.problems : ['no reason given']).map((p, i) => (
        <Text key={i} color="yellow">
          • {p}
        </Text>
      ))}
    </Box>
  );
}
