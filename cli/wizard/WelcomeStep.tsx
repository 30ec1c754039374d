// Step 1: what this is, the version, and the machine checks (Node version, free disk). The clock
// checks need the API and the database: they show after the token and the connection steps.
// With a saved draft, Enter resumes it and n starts over.
import { useEffect, useRef, useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { EnvCheck, SetupServices } from '../../core/setup/services.js';
import { VERSION } from '../../core/version.js';
import { Hint } from './Hint.js';
import { CheckLine } from './CheckLine.js';
import { errorText } from './format.js';

export function WelcomeStep(props: {
  services: SetupServices;
  resume?: { step: string; savedAt: string } | null;
  onNext(summary: string, resume: boolean): void;
}): JSX.Element {
  const [checks, setChecks] = useState<EnvCheck[] | null>(props.services.checkEnvironment ? null : []);
  useEffect(() => {
    let live = true;
    props.services.checkEnvironment?.().then(
      (c) => live && setChecks(c),
      (e: unknown) => live && setChecks([{ name: 'checks', status: 'warn', detail: errorText(e) }]),
    );
    return () => {
      live = false;
    };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  // A key pressed while the checks still run is kept and acted on when they end: an installer who
  // presses Enter at once must not find the wizard still on step 1.
  const pending = useRef<boolean | null>(null);
  const go = (c: EnvCheck[], resume: boolean) =>
    props.onNext(`Outpost ${VERSION}; ${c.filter((x) => x.status === 'pass').length} of ${c.length} checks pass`, resume);
  useEffect(() => {
    if (checks !== null && pending.current !== null) go(checks, pending.current);
  }, [checks]); // eslint-disable-line react-hooks/exhaustive-deps

  useInput((input, key) => {
    const choice = key.return ? Boolean(props.resume) : props.resume && (input === 'n' || input === 'N') ? false : null;
    if (choice === null) return;
    if (checks === null) pending.current = choice;
    else go(checks, choice);
  });

  return (
    <Box flexDirection="column">
      <Text>
        Outpost <Text bold>{VERSION}</Text> connects the plant's ticket database to the e-ticketing service.
      </Text>
      <Text dimColor>Token, database, table, change detection, time zone, samples, mapping, secrets, handoff.</Text>
      <Box flexDirection="column" marginTop={1}>
        {checks === null ? <Spinner label="Checking this machine…" /> : checks.map((c) => <CheckLine key={c.name} check={c} />)}
        <Text dimColor>Clock skew against the API and the database is checked at those steps.</Text>
      </Box>
      {props.resume ? (
        <Box marginTop={1}>
          <Text color="yellow" wrap="truncate">
            A setup saved at "{props.resume.step}" ({props.resume.savedAt.slice(0, 16).replace('T', ' ')} UTC) can be resumed; secrets are
            asked again.
          </Text>
        </Box>
      ) : null}
      <Hint first>{props.resume ? 'Enter: resume the saved setup · n: start over' : 'Enter: start'}</Hint>
    </Box>
  );
}
