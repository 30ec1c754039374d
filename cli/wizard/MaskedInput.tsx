// A secret field that can start prefilled. @inkjs/ui's PasswordInput has no default value (the demo and
// a resumed setup prefill the token), and it masks with '*'; this shows one • per character instead.
import { useEffect, useRef, useState, type JSX } from 'react';
import { Text, useInput } from 'ink';

export function MaskedInput(props: {
  defaultValue?: string;
  isDisabled?: boolean;
  onChange?: (value: string) => void;
  onSubmit?: (value: string) => void;
}): JSX.Element {
  const { isDisabled = false, onChange, onSubmit } = props;
  const [value, setValue] = useState(props.defaultValue ?? '');
  // Several keys can arrive in one stdin chunk: keep the latest value in a ref for submit.
  const latest = useRef(value);
  latest.current = value;

  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    onChange?.(value);
  }, [value]); // eslint-disable-line react-hooks/exhaustive-deps

  useInput(
    (input, key) => {
      if (key.return) {
        onSubmit?.(latest.current);
        return;
      }
      if (key.backspace || key.delete) {
        setValue((v) => v.slice(0, -1));
        return;
      }
      if (key.ctrl || key.meta || key.escape || key.tab || key.upArrow || key.downArrow) return;
      if (key.leftArrow || key.rightArrow || !input) return;
      setValue((v) => v + input.replace(/[\r\n]/g, ''));
    },
    { isActive: !isDisabled },
  );

  return (
    <Text>
      {'•'.repeat(value.length)}
      {isDisabled ? null : <Text inverse> </Text>}
    </Text>
  );
}
