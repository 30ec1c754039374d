// Step 9: where each secret goes. A secrets file beside the config (mode 0600, referenced as
// secret:NAME — the default), an environment variable (env:NAME; the handoff prints the line that
// sets it for the service), or the config file itself — only when chosen. A secret given as a
// reference already (env:OUTPOST_TOKEN) stays as it is.
import { useState, type JSX } from 'react';
import { Box, Text } from 'ink';
import { isSecretRef, SECRET_NAME } from '../../core/config/secrets.js';
import { DEFAULT_SECRET_NAMES } from '../../core/setup/handoff.js';
import type { SecretPlacement, SetupDraft } from '../../core/setup/services.js';
import { FieldForm } from './FieldForm.js';
import { Hint } from './Hint.js';
import { SelectList } from './SelectList.js';

type Which = 'token' | 'password';

export function secretsToPlace(draft: SetupDraft): Which[] {
  const out: Which[] = [];
  if (draft.token && !isSecretRef(draft.token)) out.push('token');
  if (draft.source.driver !== 'sqlite' && draft.source.password && !isSecretRef(draft.source.password)) out.push('password');
  return out;
}

export function placementText(p: SecretPlacement | undefined, which: Which): string {
  const how = p ?? { kind: 'file', name: DEFAULT_SECRET_NAMES[which] };
  return how.kind === 'file'
    ? `secrets file (secret:${how.name})`
    : how.kind === 'env'
      ? `environment (env:${how.name})`
      : 'inline in the config';
}

export function SecretsStep(props: { draft: SetupDraft; onNext(patch: Partial<SetupDraft>, summary: string): void }): JSX.Element {
  const todo = secretsToPlace(props.draft);
  const [i, setI] = useState(0);
  const [chosen, setChosen] = useState<Partial<Record<Which, SecretPlacement>>>({});
  const [naming, setNaming] = useState(false);
  const [error, setError] = useState('');
  const which = todo[i];
  const label = which === 'token' ? 'the account token' : 'the database password';

  const done = (next: Partial<Record<Which, SecretPlacement>>) => {
    if (i + 1 < todo.length) {
      setChosen(next);
      setI(i + 1);
      setNaming(false);
      return;
    }
    const summary = todo.length ? todo.map((w) => `${w}: ${placementText(next[w], w)}`).join('; ') : 'given as references already';
    props.onNext({ secrets: { ...props.draft.secrets, ...next } }, summary);
  };

  if (!which) {
    return (
      <Box flexDirection="column">
        <Text>The secrets were given as references (env:/secret:), so nothing secret is written anywhere.</Text>
        <SelectList items={[{ label: 'Continue', value: 0 }]} onSelect={() => done({})} />
        <Hint>Enter: continue</Hint>
      </Box>
    );
  }
  if (naming) {
    return (
      <Box flexDirection="column">
        <Text>Name of the environment variable for {label}:</Text>
        <FieldForm
          isActive
          fields={[{ id: 'name', label: 'Variable', value: DEFAULT_SECRET_NAMES[which] }]}
          onSubmit={(v) => {
            const name = v.name.trim();
            if (!SECRET_NAME.test(name)) return setError('Use capital letters, digits and _ (like OUTPOST_TOKEN).');
            done({ ...chosen, [which]: { kind: 'env', name } });
          }}
        />
        {error ? <Text color="red">{error}</Text> : null}
        <Hint>Enter: next</Hint>
      </Box>
    );
  }
  const initial = ['file', 'env', 'inline'].indexOf(props.draft.secrets?.[which]?.kind ?? 'file');
  return (
    <Box flexDirection="column">
      <Text>
        Where should <Text bold>{label}</Text> be kept? ({i + 1} of {todo.length})
      </Text>
      <SelectList
        items={[
          { label: 'A secrets file beside the config (mode 0600)', value: 'file' as const, hint: `secret:${DEFAULT_SECRET_NAMES[which]}` },
          { label: 'An environment variable of the service', value: 'env' as const, hint: `env:${DEFAULT_SECRET_NAMES[which]}` },
          { label: 'In the config file itself', value: 'inline' as const, hint: 'not recommended' },
        ]}
        initial={Math.max(0, initial)}
        onSelect={(k) => {
          if (k === 'env') setNaming(true);
          else done({ ...chosen, [which]: k === 'file' ? { kind: 'file', name: DEFAULT_SECRET_NAMES[which] } : { kind: 'inline' } });
        }}
      />
      <Text dimColor>Secrets are never saved in the setup draft.</Text>
      <Hint>↑/↓: choose · Enter: next</Hint>
    </Box>
  );
}
