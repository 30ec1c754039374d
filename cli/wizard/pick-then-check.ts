// The steps that first pick one thing from a list (an environment, a database driver), then check a
// form for it against the API or the database: what they hold, and how Esc goes back to the list.
import { useState } from 'react';
import { useEsc, type EscSlot } from './esc.js';

export type CheckState = { kind: 'idle' } | { kind: 'busy' } | { kind: 'error'; message: string };

/** The pick and the check's state. Esc in the form drops the pick and any message, except while a check runs. */
export function usePickThenCheck<P>(esc: EscSlot | undefined) {
  const [state, setState] = useState<CheckState>({ kind: 'idle' });
  const [picked, setPicked] = useState<P | null>(null);
  useEsc(esc, () => {
    if (picked === null || state.kind === 'busy') return false;
    setPicked(null);
    setState({ kind: 'idle' });
    return true;
  });
  return { state, setState, picked, setPicked };
}
