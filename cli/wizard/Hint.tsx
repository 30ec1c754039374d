// The key help line under each step.
import type { JSX } from 'react';
import { Box, Text } from 'ink';

export function Hint(props: { children: string; first?: boolean }): JSX.Element {
  return (
    <Box marginTop={1}>
      <Text dimColor wrap="truncate">
        {props.children}
        {props.first ? ' · Ctrl+C: quit' : ' · Esc: back · Ctrl+C: quit'}
      </Text>
    </Box>
  );
}

/** A step's failure in red with the retry key under it (the step retries on Enter). */
export function RetryableError(props: { message: string }): JSX.Element {
  return (
    <Box flexDirection="column">
      <Text color="red">{props.message}</Text>
      <Hint>Enter: try again</Hint>
    </Box>
  );
}
