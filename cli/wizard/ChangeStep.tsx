// Step 5: how Outpost sees new and changed tickets. Discovery's suggestion is preselected, with its
// reason and what it needs from a DBA; any other fitting mode can be chosen instead. The chosen
// mode is what gets saved.
import { useState, type JSX } from 'react';
import { Box, Text } from 'ink';
import type { SetupDraft, TableInfo } from '../../core/setup/services.js';
import { changeLabel, changeOptions } from './format.js';
import { Hint } from './Hint.js';
import { SelectList } from './SelectList.js';

export function ChangeStep(props: {
  table: TableInfo | undefined;
  draft: SetupDraft;
  onNext(patch: Partial<SetupDraft>, summary: string): void;
}): JSX.Element {
  const { draft } = props;
  const options = changeOptions(props.table, draft);
  const suggested = Math.max(
    0,
    options.findIndex((o) => o.ready),
  );
  const chosen = options.findIndex((o) => o.mode === draft.changeMode && (o.column ?? null) === (draft.changeColumn ?? null));
  const [index, setIndex] = useState(chosen >= 0 ? chosen : suggested);
  const o = options[index];
  return (
    <Box flexDirection="column">
      <Text>How should Outpost see new and changed tickets in {draft.table}?</Text>
      <SelectList
        items={options.map((x, i) => ({
          label: changeLabel(x),
          value: i,
          hint: i === suggested ? 'suggested' : x.ready ? '' : 'needs a DBA',
        }))}
        initial={index}
        visible={5}
        onHighlight={(i) => setIndex(i)}
        onSelect={(i) => {
          const c = options[i];
          props.onNext(
            { changeMode: c.mode, changeColumn: c.column ?? null },
            `${changeLabel(c)}${i === suggested ? ' (suggested)' : ' (chosen over the suggestion)'}`,
          );
        }}
      />
      {o ? (
        <Box flexDirection="column" marginTop={1}>
          <Text wrap="wrap">Why: {o.reason}</Text>
          {o.needs ? (
            <Text color="yellow" wrap="wrap">
              From a DBA: {o.needs}
            </Text>
          ) : (
            <Text dimColor>Needs nothing from a DBA.</Text>
          )}
        </Box>
      ) : null}
      <Hint>↑/↓: choose · Enter: use this mode</Hint>
    </Box>
  );
}
