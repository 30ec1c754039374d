// A program in a real terminal for the e2e tests: a detached tmux session of a given size that the
// test reads (capture-pane) and types into (send-keys), as a user at that terminal would.
import { execFileSync } from 'node:child_process';
import { waitFor } from './wait.js';

/** Whether tmux is installed. */
export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Terminal {
  /** What is on screen now. */
  screen(): string;
  /** tmux send-keys: key names (Enter, Down, BSpace, C-c) or, after '-l', literal text. */
  keys(...keys: string[]): void;
  /** Waits until `ok` holds; a timeout names `what` and shows the screen at that moment. */
  until(what: string, ok: () => boolean, timeoutMs?: number, everyMs?: number): Promise<unknown>;
  /** Waits until the screen holds `what` (a substring or a pattern). */
  see(what: string | RegExp, timeoutMs?: number): Promise<unknown>;
  resize(cols: number, rows: number): void;
  /** Ends the session; nothing when it has ended already. */
  close(): void;
}

/** Runs `command` (a shell line) in a new detached session `name`-<pid>, `cols`×`rows` characters. */
export function openTerminal(name: string, cols: number, rows: number, command: string): Terminal {
  const session = `${name}-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  const until = (what: string, ok: () => boolean, timeoutMs = 30_000, everyMs = 100) =>
    waitFor(() => `${what}; screen:\n${screen()}`, ok, timeoutMs, everyMs);
  tmux('new-session', '-d', '-s', session, '-x', String(cols), '-y', String(rows), command);
  return {
    screen,
    keys: (...keys) => void tmux('send-keys', '-t', session, ...keys),
    until,
    see: (what, timeoutMs) =>
      until(`"${String(what)}" on screen`, () => (typeof what === 'string' ? screen().includes(what) : what.test(screen())), timeoutMs),
    resize: (c, r) => void tmux('resize-window', '-t', session, '-x', String(c), '-y', String(r)),
    close() {
      try {
        tmux('kill-session', '-t', session);
      } catch {
        /* already gone */
      }
    },
  };
}
