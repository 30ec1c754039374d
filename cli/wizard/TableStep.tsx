// Step 4: pick the ticket table from the tables the connection test found, ranked best first with
// the reasons. The draft's table (else the best) starts highlighted; its suggested key shows too.
import { useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import type { SetupDraft, TableInfo } from '../../core/setup/services.js';
import { Hint } from './Hint.js';
import { keyFor, tableSummary, truncate } from './format.js';

const VISIBLE = 7;

export function TableStep(props: {
  tables: TableInfo[];
  draft: SetupDraft;
  onNext(patch: Partial<SetupDraft>, summary: string): void;
  onBack(): void;
}): JSX.Element {
  const { tables, draft } = props;
  const [index, setIndex] = useState(() =>
    Math.max(
      0,
      tables.findIndex((t) => t.name === draft.table),
    ),
  );

  useInput((_input, key) => {
    if (tables.length === 0) {
      if (key.return) props.onBack();
      return;
    }
    if (key.upArrow) setIndex((i) => Math.max(0, i - 1));
    else if (key.downArrow) setIndex((i) => Math.min(tables.length - 1, i + 1));
    else if (key.return) {
      const t = tables[index];
      const k = keyFor(t, draft);
      props.onNext(
        { table: t.name, key: k.key, changeColumn: k.changeColumn, changeMode: k.changeMode },
        tableSummary(t, k.key, k.changeColumn),
      );
    }
  });

  if (tables.length === 0) {
    return (
      <Box flexDirection="column">
        <Text color="yellow">No tables were found on this connection: check the database name and the user's read rights.</Text>
        <Hint>Enter: back to the connection</Hint>
      </Box>
    );
  }

  // A window of rows around the highlight, so a database with hundreds of tables stays on screen.
  const start = Math.min(Math.max(0, index - Math.floor(VISIBLE / 2)), Math.max(0, tables.length - VISIBLE));
  const shown = tables.slice(start, start + VISIBLE);
  const nameWidth = Math.min(40, Math.max(...shown.map((t) => t.name.length)));
  const current = tables[index];
  const k = keyFor(current, draft);

  return (
    <Box flexDirection="column">
      <Text>Which table holds the tickets? Ranked best first.</Text>
      {start > 0 && <Text dimColor> ↑ {start} more</Text>}
      {shown.map((t, i) => {
        const on = start + i === index;
        const rows = t.rowCount === null ? '' : `${t.rowCount.toLocaleString('en-US')} rows`;
        return (
          <Text key={t.name} color={on ? 'cyan' : undefined} wrap="truncate">
            {on ? '› ' : '  '}
            {i + start + 1}. {truncate(t.name, 40).padEnd(nameWidth)} {rows}
          </Text>
        );
      })}
      {start + VISIBLE < tables.length && <Text dimColor> ↓ {tables.length - start - VISIBLE} more</Text>}
      <Box marginTop={1} flexDirection="column">
        <Text wrap="truncate">
          Key: <Text bold>{k.key.length ? k.key.join(' + ') : '(none found)'}</Text>
          {'   '}Columns: {current.columns.length}
        </Text>
        {(current.notes ?? []).slice(0, 3).map((n, i) => (
          <Text key={i} dimColor wrap="truncate">
            · {n}
          </Text>
        ))}
        {k.key.length === 0 && <Text color="yellow">No primary key was found: add one under "key" in the config after setup.</Text>}
      </Box>
      <Hint>↑/↓: choose · Enter: use this table</Hint>
    </Box>
  );
}
