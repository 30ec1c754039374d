// The top of every frame, three lines at most so every step fits 80×24: the demo banner, the step
// with a progress line (✔ done · ● here · ○ to do) and what the previous step found.
import type { JSX } from 'react';
import { Box, Text } from 'ink';
import { STEP_IDS, STEP_TITLES } from './format.js';
import { truncate } from './format.js';

/** Without a step (the closing frame), only the banner and the done list. */
export function Header(props: { demo?: boolean; step?: number; done: string[]; width?: number }): JSX.Element {
  const width = props.width ?? 80;
  const step = props.step;
  const marks = STEP_IDS.map((_, i) => (i < props.done.length && (step === undefined || i < step) ? '✔' : i === step ? '●' : '○')).join('');
  const last = step !== undefined && step > 0 ? props.done[step - 1] : undefined;
  return (
    <Box flexDirection="column" marginBottom={1}>
      {props.demo ? (
        <Text color="magenta" bold wrap="truncate">
          {truncate('Demo plant: every field is filled in. Press Enter at each step.', width)}
        </Text>
      ) : null}
      {step !== undefined ? (
        <>
          <Text wrap="truncate">
            <Text bold>Outpost setup </Text>
            <Text color="green">{marks}</Text>
            <Text bold color="cyan">
              {'  '}Step {step + 1} of {STEP_TITLES.length}: {STEP_TITLES[step]}
            </Text>
          </Text>
          {last ? (
            <Text dimColor wrap="truncate">
              {truncate(`✔ ${STEP_TITLES[step - 1]}: ${last}`, width)}
            </Text>
          ) : null}
        </>
      ) : (
        <>
          <Text bold>Outpost setup</Text>
          {props.done.map((summary, i) => (
            <Text key={i} wrap="truncate">
              <Text color="green">✔</Text> {truncate(`${STEP_TITLES[i]}: ${summary}`, width - 2)}
            </Text>
          ))}
        </>
      )}
    </Box>
  );
}
