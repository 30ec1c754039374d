// The setup wizard: six steps in order, each its own component. App only holds the draft and the
// results that later steps need, and ends the run (done or cancelled) exactly once.
import { useRef, useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import type { SampleResult, SetupDraft, SetupServices, TableInfo } from '../../core/setup/services.js';
import type { WizardResult } from './index.js';
import { Header } from './Header.js';
import { TokenStep } from './TokenStep.js';
import { ConnectionStep } from './ConnectionStep.js';
import { TableStep } from './TableStep.js';
import { SampleStep } from './SampleStep.js';
import { MappingStep } from './MappingStep.js';
import { HandoffStep } from './HandoffStep.js';

export function App(props: {
  services: SetupServices;
  initial: SetupDraft;
  demo?: boolean;
  onDone(r: WizardResult): void;
}): JSX.Element {
  const { services } = props;
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<SetupDraft>(props.initial);
  const [done, setDone] = useState<string[]>([]);
  const [tables, setTables] = useState<TableInfo[]>([]);
  const [sample, setSample] = useState<SampleResult>({ columns: [], rows: [] });
  const [ended, setEnded] = useState<WizardResult | null>(null);
  const endedRef = useRef(false);

  const end = (r: WizardResult) => {
    if (endedRef.current) return;
    endedRef.current = true;
    setEnded(r);
    props.onDone(r);
  };

  useInput((input, key) => {
    if (key.escape || (key.ctrl && input === 'c')) end({ status: 'cancelled' });
  });

  const next = (summary: string, patch?: Partial<SetupDraft>) => {
    if (endedRef.current) return; // a service answered after the user cancelled
    if (patch) setDraft((d) => ({ ...d, ...patch }));
    setDone((d) => [...d.slice(0, step), summary]);
    setStep(step + 1);
  };

  if (ended) {
    // The last frame stays in the terminal after exit: keep what was done, and where things are.
    return (
      <Box flexDirection="column">
        <Header demo={props.demo} done={ended.status === 'done' ? [...done, 'daemon started'] : done} />
        {ended.status === 'done' ? (
          <Box flexDirection="column" marginTop={1}>
            <Text color="green">Setup complete.</Text>
            <Text>Config:    {ended.configPath}</Text>
            <Text>Dashboard: {ended.dashboardUrl}</Text>
          </Box>
        ) : (
          <Text color="yellow">Setup cancelled.</Text>
        )}
      </Box>
    );
  }

  const body = (() => {
    switch (step) {
      case 0:
        return <TokenStep services={services} draft={draft} onNext={(patch, s) => next(s, patch)} />;
      case 1:
        return (
          <ConnectionStep
            services={services}
            draft={draft}
            onNext={(patch, s, t) => {
              setTables(t);
              next(s, patch);
            }}
          />
        );
      case 2:
        return (
          <TableStep
            tables={tables}
            draft={draft}
            onNext={(patch, s) => next(s, patch)}
            onBack={() => {
              setDone((d) => d.slice(0, 1));
              setStep(1);
            }}
          />
        );
      case 3:
        return (
          <SampleStep
            services={services}
            draft={draft}
            onNext={(s, smp) => {
              setSample(smp);
              next(s);
            }}
          />
        );
      case 4:
        return <MappingStep services={services} draft={draft} rows={sample.rows} onNext={(s) => next(s)} />;
      default:
        return (
          <HandoffStep
            services={services}
            draft={draft}
            onFinish={(r) => end({ status: 'done', draft, dashboardUrl: r.dashboardUrl, configPath: r.configPath })}
          />
        );
    }
  })();

  return (
    <Box flexDirection="column">
      <Header demo={props.demo} step={step} done={done} />
      {/* key: a step starts fresh each time it is entered (e.g. back from an empty table list). */}
      <Box key={step} flexDirection="column">
        {body}
      </Box>
    </Box>
  );
}
