// The key help line under each step.
import type { JSX } from 'react';
import { Box, Text } from 'ink';

export function Hint(props: { children: string }): JSX.Element {
  return (
    <Box marginTop={1}>
      <Text dimColor>{props.children} · Esc: cancel</Text>
    </Box>
  );
}
