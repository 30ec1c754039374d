// Step 7: which sample tickets to check the mapping on: the latest N, or the numbers typed from
// paper tickets (5006 finds '005006' and '   5006'). The pulled rows show as a compact table.
import { useEffect, useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { SampleResult, SampleSpec, SetupDraft, SetupServices, TableInfo } from '../../core/setup/services.js';
import { FieldForm } from './FieldForm.js';
import { Hint, RetryableError } from './Hint.js';
import { SelectList } from './SelectList.js';
import { errorText, redact, sampleTableLines } from './format.js';
import { useEsc, type EscSlot } from './esc.js';

export const DEFAULT_LATEST = 5;

type State =
  | { kind: 'choose' }
  | { kind: 'form'; mode: 'latest' | 'numbers'; error?: string }
  | { kind: 'busy'; spec: SampleSpec }
  | { kind: 'error'; message: string; spec: SampleSpec }
  | { kind: 'ok'; sample: SampleResult; spec: SampleSpec };

/** The column ticket numbers are most likely in. */
export function guessNumberColumn(columns: string[]): string {
  return (
    columns.find((c) => /^(ticket|tkt|tick)[ _-]?(no|num|number|nbr|#)$/i.test(c)) ??
    columns.find((c) => /(ticket|tkt|tick).*(no|num|nbr)/i.test(c)) ??
    columns.find((c) => /(no|num|number)$/i.test(c)) ??
    columns[0] ??
    ''
  );
}

export function parseNumbers(text: string): string[] {
  return text
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function SampleStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  table?: TableInfo;
  esc?: EscSlot;
  onNext(summary: string, sample: SampleResult, patch: Partial<SetupDraft>): void;
}): JSX.Element {
  const { draft } = props;
  const columns = props.table?.columns ?? [];
  const [state, setState] = useState<State>({ kind: 'choose' });
  useEsc(props.esc, () => {
    if (state.kind === 'choose' || state.kind === 'busy') return false;
    setState({ kind: 'choose' });
    return true;
  });

  const pull = (spec: SampleSpec) => setState({ kind: 'busy', spec });
  useEffect(() => {
    if (state.kind !== 'busy') return;
    let live = true;
    const spec = state.spec;
    props.services.pullSample({ ...draft, samples: spec }, spec).then(
      (sample) => live && setState({ kind: 'ok', sample, spec }),
      (err: unknown) => live && setState({ kind: 'error', message: redact(errorText(err), [draft.token, draft.source.password]), spec }),
    );
    return () => {
      live = false;
    };
  }, [state.kind]); // eslint-disable-line react-hooks/exhaustive-deps

  useInput((_input, key) => {
    if (!key.return) return;
    if (state.kind === 'error') pull(state.spec);
    else if (state.kind === 'ok') {
      const s = state.sample;
      const patch: Partial<SetupDraft> = { samples: state.spec };
      // The column typed numbers were found in is where the ticket number comes from, unless the mapping says otherwise.
      if (state.spec.numberColumn && !draft.fields?.ticketNumber)
        patch.fields = { ...(draft.fields ?? {}), ticketNumber: { column: state.spec.numberColumn, then: ['trim'] } };
      const how = state.spec.ticketNumbers?.length
        ? `${s.rows.length} rows for ${state.spec.ticketNumbers.length} typed numbers`
        : `the latest ${s.rows.length} rows`;
      props.onNext(`${how} from ${draft.table}${s.notFound?.length ? `; not found: ${s.notFound.join(', ')}` : ''}`, s, patch);
    }
  });

  if (state.kind === 'choose') {
    const initial = draft.samples?.ticketNumbers?.length ? 1 : 0;
    return (
      <Box flexDirection="column">
        <Text>Which tickets should the mapping be checked on?</Text>
        <SelectList
          items={[
            { label: `The latest tickets (${draft.samples?.latest ?? DEFAULT_LATEST})`, value: 'latest' as const },
            { label: 'Ticket numbers typed from paper tickets', value: 'numbers' as const, hint: '5006 finds 005006 and "   5006"' },
          ]}
          initial={initial}
          onSelect={(mode) => setState({ kind: 'form', mode })}
        />
        <Hint>↑/↓: choose · Enter: next</Hint>
      </Box>
    );
  }
  if (state.kind === 'form') {
    const submit = (v: Record<string, string>) => {
      if (state.mode === 'latest') {
        const n = Number(v.latest.trim());
        if (!Number.isInteger(n) || n < 1 || n > 200) return setState({ ...state, error: 'Enter how many tickets, from 1 to 200.' });
        return pull({ latest: n });
      }
      const numbers = parseNumbers(v.numbers);
      if (numbers.length === 0) return setState({ ...state, error: 'Type at least one ticket number, separated by commas or spaces.' });
      const col = v.column.trim();
      const real = columns.find((c) => c === col) ?? columns.find((c) => c.toLowerCase() === col.toLowerCase());
      if (columns.length && !real)
        return setState({
          ...state,
          error: `${draft.table} has no column "${col}"; it has ${columns.slice(0, 8).join(', ')}${columns.length > 8 ? ', …' : ''}.`,
        });
      return pull({ ticketNumbers: numbers, numberColumn: real ?? col });
    };
    const guess = (draft.fields?.ticketNumber as { column?: string } | undefined)?.column ?? guessNumberColumn(columns);
    return (
      <Box flexDirection="column">
        <FieldForm
          isActive
          fields={
            state.mode === 'latest'
              ? [{ id: 'latest', label: 'How many', value: String(draft.samples?.latest ?? DEFAULT_LATEST) }]
              : [
                  { id: 'numbers', label: 'Ticket numbers', value: draft.samples?.ticketNumbers?.join(', ') ?? '' },
                  { id: 'column', label: 'Number column', value: draft.samples?.numberColumn ?? guess },
                ]
          }
          hints={{ numbers: 'as printed, separated by commas or spaces', column: `the column of ${draft.table} holding them` }}
          onSubmit={submit}
        />
        {state.error ? <Text color="red">{state.error}</Text> : null}
        <Hint>Enter: pull the samples · ↑/↓: move between fields</Hint>
      </Box>
    );
  }
  if (state.kind === 'busy') return <Spinner label={`Pulling sample tickets from ${draft.table}…`} />;
  if (state.kind === 'error') return <RetryableError message={state.message} />;
  const [head, ...lines] = sampleTableLines(state.sample, 14);
  return (
    <Box flexDirection="column">
      <Text>
        {state.sample.rows.length} sample rows from <Text bold>{draft.table}</Text>
        {state.sample.rows.length === 0 ? ': none found; the mapping can only be checked once tickets arrive.' : ':'}
      </Text>
      {state.sample.notFound?.length ? <Text color="yellow">Not found: {state.sample.notFound.join(', ')}</Text> : null}
      {state.sample.rows.length > 0 ? (
        <Box flexDirection="column" marginTop={1}>
          <Text bold wrap="truncate">
            {head}
          </Text>
          {lines.slice(0, 10).map((l, i) => (
            <Text key={i} wrap="truncate">
              {l}
            </Text>
          ))}
          {lines.length > 10 ? <Text dimColor>… {lines.length - 10} more</Text> : null}
        </Box>
      ) : null}
      <Hint>Enter: edit the mapping</Hint>
    </Box>
  );
}
