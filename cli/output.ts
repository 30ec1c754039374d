// How every command talks: colour only on a TTY without NO_COLOR, errors as one plain sentence,
// exit codes that mean something.
import chalk from 'chalk';

export const EXIT = { ok: 0, failure: 1, usage: 2, notRunning: 3 } as const;

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return !process.env.NO_COLOR && stream.isTTY === true && process.env.TERM !== 'dumb';
}

if (!useColor()) chalk.level = 0;
export { chalk };

export function fail(message: string, code: number = EXIT.failure): never {
  process.stderr.write(`${useColor(process.stderr) ? chalk.red('error') : 'error'}: ${message}\n`);
  process.exit(code);
}

export function printJson(data: unknown): void {
  process.stdout.write(JSON.stringify(data, null, 2) + '\n');
}

/** A mistake in how the command was called (an option, a missing choice): exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit code an error means: 2 for usage and config errors (bad file, missing secret), else 1. */
export function exitCodeFor(e: unknown): number {
  const name = (e as Error | undefined)?.name;
  return name === 'UsageError' || name === 'ConfigError' || e?.constructor?.name === 'MissingSecretError' ? EXIT.usage : EXIT.failure;
}
