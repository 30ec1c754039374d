// Esc goes back one step; a step with a panel open (a sub-list, a second phase) takes the Esc first
// by putting a handler in this slot that returns true when it handled it.
import { useEffect, type RefObject } from 'react';

export type EscSlot = RefObject<(() => boolean) | null>;

/** While mounted, `handler` sees Esc first; return false to let the App go back a step. */
export function useEsc(slot: EscSlot | undefined, handler: () => boolean): void {
  useEffect(() => {
    if (!slot) return;
    slot.current = handler;
    return () => {
      if (slot.current === handler) slot.current = null;
    };
  });
}
