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

export function scrub(text: string): string {
  return redact(text, [...secrets]);
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
