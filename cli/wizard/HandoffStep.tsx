// Step 10: a truthful handoff. A summary of what will be saved; when fewer than all samples map, how
// many and why, and a question whose default is back to the mapping. Then: start the daemon, install
// the boot service, or save only — and the result as it is (started, reloaded, not started). The last
// screen shows the first tickets the API acknowledges, live, with their numbers.
import { useEffect, useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { Spinner } from '@inkjs/ui';
import { failureReasons, mappedCountText, type MappingEval } from '../../core/setup/editor.js';
import type { AckedTicket, HandoffAction, HandoffResult, SetupDraft, SetupServices } from '../../core/setup/services.js';
import { Hint } from './Hint.js';
import { SelectList } from './SelectList.js';
import { placementText, secretsToPlace } from './SecretsStep.js';
import { DAEMON_TEXT, changeLabel, errorText, redact, truncate } from './format.js';

type State =
  | { kind: 'confirm' }
  | { kind: 'action' }
  | { kind: 'busy'; action: HandoffAction }
  | { kind: 'error'; message: string; action: HandoffAction }
  | { kind: 'ok'; result: HandoffResult };

export function summaryLines(draft: SetupDraft, model: MappingEval | null): string[] {
  const secrets = secretsToPlace(draft).map((w) => `${w} → ${placementText(draft.secrets?.[w], w)}`);
  return [
    `Profile ${draft.profileName} (${draft.environment ?? 'sandbox'}) → ${draft.apiUrl}`,
    `Table ${draft.table}, key ${draft.key.join(' + ') || '(none)'}, ${changeLabel({ mode: draft.changeMode ?? 'timestamp', column: draft.changeColumn })}`,
    `Plant time zone ${draft.timezone ?? 'UTC'}; template ${model?.template ?? draft.template}${Object.keys(draft.fields ?? {}).length ? ` + ${Object.keys(draft.fields ?? {}).length} field edits` : ''}`,
    ...(secrets.length ? [`Secrets: ${secrets.join('; ')}`] : []),
    model ? `Mapping: ${mappedCountText(model)}` : 'Mapping: not checked on samples',
  ];
}

export function HandoffStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  model: MappingEval | null;
  width?: number;
  onBackToMapping(): void;
  onFinish(result: HandoffResult): void;
}): JSX.Element {
  const { draft, model } = props;
  const width = props.width ?? 80;
  const short = model !== null && model.mapped < model.total;
  const [state, setState] = useState<State>(short ? { kind: 'confirm' } : { kind: 'action' });
  const [acks, setAcks] = useState<AckedTicket[]>([]);

  const run = async (action: HandoffAction) => {
    setState({ kind: 'busy', action });
    try {
      setState({ kind: 'ok', result: await props.services.handoff(draft, action) });
    } catch (err) {
      setState({ kind: 'error', message: redact(errorText(err), [draft.token, draft.source.password]), action });
    }
  };

  const watching =
    state.kind === 'ok' &&
    (state.result.daemon === 'started' || state.result.daemon === 'reloaded' || state.result.daemon === 'service installed');
  useEffect(() => {
    if (!watching || !props.services.recentAcks) return;
    let live = true;
    const tick = () =>
      props.services.recentAcks!(draft).then(
        (a) => live && setAcks(a),
        () => {},
      );
    void tick();
    const timer = setInterval(() => void tick(), 700);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [watching]); // eslint-disable-line react-hooks/exhaustive-deps

  useInput((_input, key) => {
    if (!key.return) return;
    if (state.kind === 'error') void run(state.action);
    else if (state.kind === 'ok') props.onFinish(state.result);
  });

  const summary = (
    <Box flexDirection="column">
      {summaryLines(draft, model).map((l, i) => (
        <Text key={i} wrap="truncate">
          {truncate(l, width)}
        </Text>
      ))}
    </Box>
  );

  if (state.kind === 'confirm' && model) {
    const reasons = failureReasons(model).slice(0, 3);
    return (
      <Box flexDirection="column">
        {summary}
        <Box flexDirection="column" marginTop={1}>
          <Text color="yellow">
            Only {model.mapped} of {model.total} samples map; the others would be filtered (not sent) until the mapping is fixed:
          </Text>
          {reasons.map((r) => (
            <Text key={r.reason} color="yellow" wrap="truncate">
              {truncate(`  • ${r.reason} (${r.count} of ${model.total})`, width)}
            </Text>
          ))}
        </Box>
        <SelectList
          items={[
            { label: 'Back to the mapping', value: 'back' as const },
            { label: 'Save anyway (filtered tickets show on the dashboard with their reason)', value: 'save' as const },
          ]}
          onSelect={(v) => (v === 'back' ? props.onBackToMapping() : setState({ kind: 'action' }))}
        />
        <Hint>↑/↓: choose · Enter: pick</Hint>
      </Box>
    );
  }
  if (state.kind === 'confirm' || state.kind === 'action') {
    return (
      <Box flexDirection="column">
        {summary}
        <Box marginTop={1}>
          <Text>Save the profile, then:</Text>
        </Box>
        <SelectList
          items={[
            { label: 'Start the daemon now (or reload the running one)', value: 'start' as const },
            { label: 'Install the boot service (systemd / launchd / Task Scheduler)', value: 'service' as const },
            { label: 'Save only', value: 'save' as const },
          ]}
          onSelect={(a) => void run(a)}
        />
        <Hint>↑/↓: choose · Enter: save</Hint>
      </Box>
    );
  }
  if (state.kind === 'busy')
    return (
      <Spinner
        label={
          state.action === 'save'
            ? 'Saving the profile…'
            : state.action === 'service'
              ? 'Saving and installing the service…'
              : 'Saving the profile and starting the daemon…'
        }
      />
    );
  if (state.kind === 'error') {
    return (
      <Box flexDirection="column">
        {summary}
        <Text color="red">{state.message}</Text>
        <Hint>Enter: try again</Hint>
      </Box>
    );
  }
  const r = state.result;
  return (
    <Box flexDirection="column">
      <Text color={r.daemon === 'not reloaded' ? 'yellow' : 'green'}>✔ {r.daemon ? DAEMON_TEXT[r.daemon] : 'Saved'}</Text>
      <Text wrap="truncate">
        Config: <Text bold>{r.configPath}</Text>
      </Text>
      {r.dashboardUrl ? (
        // Never cut: the installer copies it.
        <Text wrap="wrap">
          Dashboard:{' '}
          <Text bold color="cyan">
            {r.dashboardUrl}
          </Text>
        </Text>
      ) : null}
      {(r.notes ?? []).map((n, i) => (
        <Text key={i} dimColor wrap="wrap">
          {n}
        </Text>
      ))}
      {watching ? (
        <Box flexDirection="column" marginTop={1}>
          {acks.length === 0 ? (
            <Spinner label="Waiting for the first tickets to be acknowledged…" />
          ) : (
            <>
              <Text color="green">First {acks.length === 1 ? 'ticket' : `${acks.length} tickets`} acknowledged by the API:</Text>
              <Text wrap="truncate">{truncate(acks.map((a) => `${a.ticketNumber} (${a.action})`).join(', '), width)}</Text>
            </>
          )}
        </Box>
      ) : null}
      <Box marginTop={1}>
        <Text>Press Enter to finish</Text>
      </Box>
    </Box>
  );
}
