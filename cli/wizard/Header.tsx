// The top of every frame: the demo banner, the steps done so far (✔ + what they found) and the current step.
import type { JSX } from 'react';
import { Box, Text } from 'ink';
import { STEP_TITLES } from './format.js';

/** Without a step (the closing frame), only the banner and the done list. */
export function Header(props: { demo?: boolean; step?: number; done: string[] }): JSX.Element {
  return (
    <Box flexDirection="column" marginBottom={1}>
      {props.demo && (
        <Text color="magenta" bold>
          Demo plant: built-in sample data, every field is filled in. Press Enter at each step.
        </Text>
      )}
      <Text bold>Outpost setup</Text>
      {props.done.map((summary, i) => (
        <Text key={i}>
          <Text color="green">✔</Text> {STEP_TITLES[i]}: {summary}
        </Text>
      ))}
      {props.step !== undefined && (
        <Box marginTop={props.done.length ? 1 : 0}>
          <Text bold color="cyan">
            Step {props.step + 1} of {STEP_TITLES.length}: {STEP_TITLES[props.step]}
          </Text>
        </Box>
      )}
    </Box>
  );
}
