// A small line logger. Every line passes through `redact` with the secrets the process knows, so a
// token or password that slips into an error message never reaches a log.
import { redact } from './config/secrets.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  (level: Level, message: string): void;
}

const secrets = new Set<string>();
/** Register a secret value so it is masked in every log line from now on. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

/**
 * Text made safe to log, show or keep: every registered secret and the `extra` ones masked, and
 * anything shaped like a credential (password=…, user:pass@ in a URL, IDENTIFIED BY '…').
 */
export function scrub(text: string, extra: Array<string | undefined> = []): string {
  return redact(String(text), [...secrets, ...extra])
    .replace(/\b(password|pwd|passwd)\s*([=:])\s*("[^"]*"|'[^']*'|[^;\s,]*)/gi, '$1$2••••')
    .replace(/(\/\/[^:/@\s]+):[^@\s]+@/g, '$1:••••@')
    .replace(/\bIDENTIFIED BY\s+('[^']*'|"[^"]*")/gi, 'IDENTIFIED BY ••••');
}

export function createLogger(write: (line: string) => void, minLevel: Level = 'info'): Logger {
  const order: Level[] = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(minLevel);
  return (level, message) => {
    if (order.indexOf(level) < min) return;
    write(`${new Date().toISOString()} ${level.padEnd(5)} ${scrub(message)}`);
  };
}

export const silentLogger: Logger = () => {};

/** Keeps the last lines of the log and passes new ones on (the dashboard's live log tail). */
export class LogTap {
  private readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();

  constructor(private readonly keep = 500) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
    for (const fn of this.listeners) fn(line);
  }

  recent(): string[] {
    return [...this.lines];
  }

  subscribe(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
