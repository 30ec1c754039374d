// The setup wizard: ten steps in order, each its own component. App holds the draft and the results
// later steps need, saves the draft after every step (onStep), and owns navigation: Esc goes back one
// step (a step with a panel open closes the panel first), Ctrl+C asks before quitting. It ends the
// run (done or cancelled) exactly once.
import { useRef, useState, type JSX } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import type { MappingEval } from '../../core/setup/editor.js';
import type { ConnectionResult, HandoffResult, SampleResult, SetupDraft, SetupServices, TableInfo } from '../../core/setup/services.js';
import { suggestZone } from '../../core/setup/zones.js';
import type { SavedDraft } from '../../core/setup/draft-store.js';
import type { WizardResult } from './index.js';
import { Header } from './Header.js';
import { WelcomeStep } from './WelcomeStep.js';
import { TokenStep } from './TokenStep.js';
import { ConnectionStep } from './ConnectionStep.js';
import { TableStep } from './TableStep.js';
import { ChangeStep } from './ChangeStep.js';
import { ZoneStep } from './ZoneStep.js';
import { SampleStep } from './SampleStep.js';
import { MappingEditor } from './MappingEditor.js';
import { SecretsStep } from './SecretsStep.js';
import { HandoffStep } from './HandoffStep.js';
import { DAEMON_TEXT, STEP_IDS, STEP_TITLES, stepIndex, type StepId } from './format.js';
import type { EscSlot } from './esc.js';

export function App(props: {
  services: SetupServices;
  initial: SetupDraft;
  demo?: boolean;
  /** A draft saved by an earlier run: the welcome step offers to resume it. */
  resume?: SavedDraft | null;
  /** Called after every step with the draft so far and the step now shown (the caller saves it). */
  onStep?(draft: SetupDraft, step: StepId): void;
  onDone(r: WizardResult): void;
}): JSX.Element {
  const { services } = props;
  const stdout = useStdout().stdout as NodeJS.WriteStream | undefined;
  const width = Math.max(40, Math.min(stdout?.columns ?? 80, 160));
  const height = Math.max(20, stdout?.rows ?? 24);
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<SetupDraft>(props.initial);
  const [done, setDone] = useState<string[]>([]);
  const [conn, setConn] = useState<Extract<ConnectionResult, { ok: true }> | null>(null);
  const [sample, setSample] = useState<SampleResult>({ columns: [], rows: [] });
  const [model, setModel] = useState<MappingEval | null>(null);
  const [confirmQuit, setConfirmQuit] = useState(false);
  const [ended, setEnded] = useState<{ r: WizardResult; handoff?: HandoffResult } | null>(null);
  const endedRef = useRef(false);
  const esc: EscSlot = useRef<(() => boolean) | null>(null);

  const end = (r: WizardResult, handoff?: HandoffResult) => {
    if (endedRef.current) return;
    endedRef.current = true;
    setEnded({ r, handoff });
    props.onDone(r);
  };

  useInput((input, key) => {
    if (endedRef.current) return;
    if (confirmQuit) {
      if (input === 'y' || input === 'Y') end({ status: 'cancelled' });
      else if (input === 'n' || input === 'N' || key.escape || key.return) setConfirmQuit(false);
      return;
    }
    if (key.ctrl && input === 'c') setConfirmQuit(true);
    else if (key.escape) {
      if (esc.current?.()) return;
      if (step > 0) {
        esc.current = null;
        setStep(step - 1);
      }
    }
  });

  const go = (to: number, nd: SetupDraft) => {
    esc.current = null;
    setStep(to);
    props.onStep?.(nd, STEP_IDS[Math.min(to, STEP_IDS.length - 1)]);
  };
  const next = (summary: string, patch?: Partial<SetupDraft>) => {
    if (endedRef.current) return; // a service answered after the user quit
    const nd = patch ? { ...draft, ...patch } : draft;
    if (patch) setDraft(nd);
    setDone((d) => [...d.slice(0, step), summary]);
    go(step + 1, nd);
  };

  if (ended) {
    // The last frame stays in the terminal after exit: what was done, and where things are.
    const { r, handoff } = ended;
    return (
      <Box flexDirection="column">
        <Header
          demo={props.demo}
          done={
            r.status === 'done' ? [...done.slice(0, STEP_IDS.length - 1), handoff?.daemon ? DAEMON_TEXT[handoff.daemon] : 'saved'] : done
          }
          width={width}
        />
        {r.status === 'done' ? (
          <Box flexDirection="column" marginTop={1}>
            <Text color="green">Setup complete.</Text>
            <Text>Config: {r.configPath}</Text>
            {r.dashboardUrl ? <Text>Dashboard: {r.dashboardUrl}</Text> : null}
          </Box>
        ) : (
          <Text color="yellow">Setup cancelled. The answers so far are saved (without secrets): run "outpost setup" to resume.</Text>
        )}
      </Box>
    );
  }

  const table: TableInfo | undefined = conn?.tables.find((t) => t.name === draft.table);
  const id = STEP_IDS[step];
  const body = (() => {
    switch (id) {
      case 'welcome':
        return (
          <WelcomeStep
            services={services}
            resume={
              props.resume
                ? {
                    step: STEP_TITLES[Math.max(0, stepIndex(props.resume.step as StepId))] ?? props.resume.step,
                    savedAt: props.resume.savedAt,
                  }
                : null
            }
            onNext={(summary, resume) => {
              const saved = props.resume?.draft;
              if (resume && saved) {
                // The saved answers come back; secrets never were saved, so those given now (flags, env) fill in.
                next(`${summary}; resumed`, {
                  ...saved,
                  token: saved.token || props.initial.token,
                  source: { ...saved.source, password: saved.source.password ?? props.initial.source.password },
                });
              } else next(summary);
            }}
          />
        );
      case 'token':
        return <TokenStep services={services} draft={draft} esc={esc} onNext={(patch, s) => next(s, patch)} />;
      case 'database':
        return (
          <ConnectionStep
            services={services}
            draft={draft}
            esc={esc}
            onNext={(patch, s, res) => {
              setConn(res);
              next(s, patch);
            }}
          />
        );
      case 'table':
        return (
          <TableStep
            tables={conn?.tables ?? []}
            draft={draft}
            onNext={(patch, s) => next(s, { ...patch, ...(patch.table !== draft.table ? { fields: {}, samples: undefined } : {}) })}
            onBack={() => go(stepIndex('database'), draft)}
          />
        );
      case 'change':
        return <ChangeStep table={table} draft={draft} onNext={(patch, s) => next(s, patch)} />;
      case 'zone':
        return (
          <ZoneStep
            services={services}
            draft={draft}
            suggestion={suggestZone({ draft: draft.timezone, database: conn?.timezone })}
            onNext={(patch, s) => next(s, patch)}
          />
        );
      case 'samples':
        return (
          <SampleStep
            services={services}
            draft={draft}
            table={table}
            esc={esc}
            onNext={(s, smp, patch) => {
              setSample(smp);
              next(s, patch);
            }}
          />
        );
      case 'mapping':
        return (
          <MappingEditor
            services={services}
            draft={draft}
            rows={sample.rows}
            esc={esc}
            width={width}
            visible={Math.max(5, height - 15)}
            onFields={(fields, skip) => {
              const nd = { ...draft, fields, skip };
              setDraft(nd);
              props.onStep?.(nd, 'mapping');
            }}
            onNext={(s, patch, m) => {
              setModel(m);
              next(s, patch);
            }}
          />
        );
      case 'secrets':
        return <SecretsStep draft={draft} onNext={(patch, s) => next(s, patch)} />;
      default:
        return (
          <HandoffStep
            services={services}
            draft={draft}
            model={model}
            width={width}
            onBackToMapping={() => go(stepIndex('mapping'), draft)}
            onFinish={(r) => {
              setDone((d) => [...d.slice(0, step), r.daemon ? DAEMON_TEXT[r.daemon] : 'saved']);
              end({ status: 'done', draft, dashboardUrl: r.dashboardUrl ?? '', configPath: r.configPath }, r);
            }}
          />
        );
    }
  })();

  return (
    <Box flexDirection="column" width={width}>
      <Header demo={props.demo} step={step} done={done} width={width} />
      {confirmQuit ? (
        <Box flexDirection="column">
          <Text color="yellow">Quit the setup?</Text>
          <Text>The answers so far are saved (without secrets); "outpost setup" offers to resume them.</Text>
          <Box marginTop={1}>
            <Text dimColor>y: quit · n or Esc: stay</Text>
          </Box>
        </Box>
      ) : (
        // key: a step starts fresh each time it is entered (e.g. back from an empty table list).
        <Box key={step} flexDirection="column">
          {body}
        </Box>
      )}
    </Box>
  );
}
