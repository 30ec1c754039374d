// A list to choose from: ↑/↓ (PgUp/PgDn) move, Enter picks; a window of rows around the highlight so
// long lists fit 80×24. With `filter`, typed letters narrow the list (the time zone search).
import { useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import { truncate } from './format.js';

export interface Item<T> {
  label: string;
  value: T;
  /** Shown dimmed after the label. */
  hint?: string;
}

export function SelectList<T>(props: {
  items: Item<T>[];
  initial?: number;
  visible?: number;
  width?: number;
  isActive?: boolean;
  onSelect(value: T, index: number): void;
  onHighlight?(value: T, index: number): void;
}): JSX.Element {
  const { items, visible = 8, width = 76, isActive = true } = props;
  const [index, setIndex] = useState(() => Math.max(0, Math.min(items.length - 1, props.initial ?? 0)));
  const at = Math.min(index, Math.max(0, items.length - 1));

  const move = (to: number) => {
    const i = Math.max(0, Math.min(items.length - 1, to));
    setIndex(i);
    if (items[i]) props.onHighlight?.(items[i].value, i);
  };
  useInput(
    (_input, key) => {
      if (items.length === 0) return;
      if (key.upArrow) move(at - 1);
      else if (key.downArrow) move(at + 1);
      else if (key.pageUp) move(at - visible);
      else if (key.pageDown) move(at + visible);
      else if (key.return) props.onSelect(items[at].value, at);
    },
    { isActive },
  );

  if (items.length === 0) return <Text dimColor> (nothing to choose)</Text>;
  const start = Math.min(Math.max(0, at - Math.floor(visible / 2)), Math.max(0, items.length - visible));
  const shown = items.slice(start, start + visible);
  // Hints line up after the longest label on screen.
  const labelW = Math.min(width - 4, Math.max(...shown.map((it) => it.label.length)));
  return (
    <Box flexDirection="column">
      {start > 0 ? <Text dimColor> ↑ {start} more</Text> : null}
      {shown.map((it, i) => {
        const on = start + i === at;
        const label = truncate(it.label, width - 4).padEnd(it.hint ? labelW : 0);
        const hint = it.hint ? truncate(it.hint, Math.max(0, width - 6 - label.length)) : '';
        return (
          <Text key={`${start + i}`} color={on ? 'cyan' : undefined} wrap="truncate">
            {on ? '› ' : '  '}
            {label}
            {hint ? <Text dimColor> {hint}</Text> : null}
          </Text>
        );
      })}
      {start + visible < items.length ? <Text dimColor> ↓ {items.length - start - visible} more</Text> : null}
    </Box>
  );
}
