// The wizard steps that load something (the sample pull, the mapping preview): busy, then the value
// or an error the user can retry with Enter. The error text never carries the draft's secrets.
import { useEffect, useState } from 'react';
import { errorText, redact } from './format.js';

export type Loaded<T> = { kind: 'busy' } | { kind: 'error'; message: string } | { kind: 'ok'; value: T };

/** Runs `load` on mount and again on each retry(); a result that arrives after unmount is dropped. */
export function useRetryable<T>(load: () => Promise<T>, secrets: Array<string | undefined>): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ kind: 'busy' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ kind: 'busy' });
    load().then(
      (value) => live && setState({ kind: 'ok', value }),
      (err: unknown) => live && setState({ kind: 'error', message: redact(errorText(err), secrets) }),
    );
    return () => {
      live = false;
    };
    // Once per attempt, with that render's load and secrets (the step's draft does not change under it).
  }, [attempt]); // eslint-disable-line react-hooks/exhaustive-deps
  return [state, () => setAttempt((a) => a + 1)];
}
