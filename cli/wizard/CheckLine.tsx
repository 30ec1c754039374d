// One check as a line: ✔ pass (green), ! warn (yellow), ✖ fail (red), then its detail.
import type { JSX } from 'react';
import { Text } from 'ink';
import type { EnvCheck } from '../../core/setup/services.js';

export function CheckLine(props: { check: EnvCheck }): JSX.Element {
  const { check } = props;
  const [mark, color] = check.status === 'pass' ? ['✔', 'green'] : check.status === 'warn' ? ['!', 'yellow'] : ['✖', 'red'];
  return (
    <Text wrap="wrap">
      <Text color={color}>{mark}</Text> {check.name}: {check.detail}
    </Text>
  );
}
