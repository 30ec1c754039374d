// Step 1: what this is, the version, and the machine checks (Node version, free disk). The clock
// checks need the API and the database: they show after the token and the connection steps.
// With a saved draft, Enter resumes it and n starts over.
import { useEffect, useState, type JSX } from 'react';
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

  useInput((input, key) => {
    if (checks === null) return;
    const summary = `Outpost ${VERSION}; ${checks.filter((c) => c.status === 'pass').length} of ${checks.length} checks pass`;
    if (key.return) props.onNext(summary, Boolean(props.resume));
    else if (props.resume && (input === 'n' || input === 'N')) props.onNext(summary, false);
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
