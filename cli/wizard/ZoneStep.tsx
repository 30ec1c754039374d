// Step 6: the plant's time zone. Ticket times are stored as plant wall-clock time without an offset,
// so the zone decides every issuedAt. Suggested from the database's setting or this machine; type
// to search the IANA list; the newest ticket's time is shown as it will be sent.
import { useEffect, useMemo, useState, type JSX } from 'react';
import { Box, Text, useInput } from 'ink';
import type { SetupDraft, SetupServices } from '../../core/setup/services.js';
import { allZones, offsetNow, searchZones, zoneExample, type ZoneSuggestion } from '../../core/setup/zones.js';
import { Hint } from './Hint.js';
import { SelectList } from './SelectList.js';
import { pickSampleColumns } from './format.js';

export function ZoneStep(props: {
  services: SetupServices;
  draft: SetupDraft;
  suggestion: ZoneSuggestion;
  onNext(patch: Partial<SetupDraft>, summary: string): void;
}): JSX.Element {
  const { suggestion } = props;
  const [query, setQuery] = useState('');
  const [highlight, setHighlight] = useState(suggestion.zone);
  const [sample, setSample] = useState<{ column: string; value: unknown } | null>(null);
  const zones = useMemo(() => allZones(), []);
  const list = useMemo(() => {
    const found = searchZones(query, zones);
    // The suggestion leads the unfiltered list.
    return query ? found : [suggestion.zone, ...found.filter((z) => z !== suggestion.zone)];
  }, [query, zones, suggestion.zone]);

  useEffect(() => {
    let live = true;
    props.services.pullSample(props.draft, { latest: 1 }).then(
      (s) => {
        const row = s.rows[0];
        if (!live || !row) return;
        // The ticket date by name, else the first column holding a date-time that is not a last-modified stamp.
        const named = pickSampleColumns(Object.keys(row)).find((c) => c.label === 'Date')?.column;
        const col =
          named ??
          Object.keys(row).find((c) => !/modif|updat|chang|creat/i.test(c) && zoneExample(row[c], 'UTC') !== null) ??
          Object.keys(row).find((c) => zoneExample(row[c], 'UTC') !== null);
        if (col) setSample({ column: col, value: row[col] });
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useInput((input, key) => {
    if (key.backspace || key.delete) setQuery((q) => q.slice(0, -1));
    else if (input && !key.ctrl && !key.meta && !key.return && !key.escape && !key.tab && /^[\w /+-]+$/.test(input))
      setQuery((q) => q + input);
  });

  const shown = list.includes(highlight) ? highlight : list[0];
  const example = sample && shown ? zoneExample(sample.value, shown) : null;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        Suggested: <Text bold>{suggestion.zone}</Text> <Text dimColor>({suggestion.why})</Text>
      </Text>
      <Text>
        Search: <Text color="cyan">{query}</Text>
        <Text inverse> </Text> <Text dimColor>{list.length} zones</Text>
      </Text>
      <SelectList
        key={query}
        items={list.map((z) => ({ label: z, value: z, hint: offsetNow(z) }))}
        initial={Math.max(0, list.indexOf(shown ?? ''))}
        visible={6}
        onHighlight={(z) => setHighlight(z)}
        onSelect={(z) =>
          props.onNext({ timezone: z }, `${z} (${offsetNow(z)} now)${z === suggestion.zone ? `, suggested: ${suggestion.why}` : ''}`)
        }
      />
      <Box marginTop={1}>
        {example ? (
          <Text wrap="truncate">
            Newest ticket, {sample!.column}: <Text bold>{example}</Text>
          </Text>
        ) : (
          <Text dimColor>No ticket time to show yet.</Text>
        )}
      </Box>
      <Hint>type: search · ↑/↓: choose · Enter: use this zone</Hint>
    </Box>
  );
}
