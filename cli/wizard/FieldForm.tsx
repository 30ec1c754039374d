// A small form: labelled fields stacked, ↑/↓ or Tab moves between them, Enter on any field submits the
// whole form (so in the prefilled demo one Enter per step is enough).
import { useRef, useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { TextInput } from '@inkjs/ui';
import { MaskedInput } from './MaskedInput.js';

export interface FieldSpec {
  id: string;
  label: string;
  value: string;
  secret?: boolean;
}

export function FieldForm(props: {
  fields: FieldSpec[];
  isActive: boolean;
  /** A hint per field id, shown dimmed under the focused field. */
  hints?: Record<string, string>;
  onSubmit(values: Record<string, string>): void;
}): JSX.Element {
  const { fields, isActive } = props;
  // Inputs are uncontrolled (they keep their own text across retries); the ref mirrors what they hold.
  const values = useRef<Record<string, string>>(Object.fromEntries(fields.map((f) => [f.id, f.value])));
  const [focus, setFocus] = useState(0);
  const n = fields.length;

  useInput(
    (_input, key) => {
      if (key.downArrow || (key.tab && !key.shift)) setFocus((f) => (f + 1) % n);
      else if (key.upArrow || (key.tab && key.shift)) setFocus((f) => (f - 1 + n) % n);
    },
    { isActive },
  );

  const width = Math.max(...fields.map((f) => f.label.length));
  const submit = (id: string, value: string) => {
    values.current[id] = value;
    props.onSubmit({ ...values.current });
  };

  return (
    <Box flexDirection="column">
      {fields.map((f, i) => {
        const focused = isActive && i === focus;
        const onChange = (v: string) => {
          values.current[f.id] = v;
        };
        return (
          <Box key={f.id}>
            <Text color={focused ? 'cyan' : undefined}>
              {focused ? '› ' : '  '}
              {f.label.padEnd(width)}
              {'  '}
            </Text>
            {f.secret ? (
              <MaskedInput defaultValue={f.value} isDisabled={!focused} onChange={onChange} onSubmit={(v) => submit(f.id, v)} />
            ) : (
              <TextInput defaultValue={f.value} isDisabled={!focused} onChange={onChange} onSubmit={(v) => submit(f.id, v)} />
            )}
          </Box>
        );
      })}
      {props.hints?.[fields[focus]?.id] ? (
        <Text dimColor wrap="truncate">
          {'  '}
          {props.hints[fields[focus].id]}
        </Text>
      ) : null}
    </Box>
  );
}
