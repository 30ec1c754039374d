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

/**
 * An action whose thrown errors end the command as one sentence on stderr, exit 1 or the code
 * `codeOf` gives (exitCodeFor: 2 for usage and config errors).
 */
export function sayingErrors<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
  codeOf: (e: unknown) => number = () => EXIT.failure,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (e) {
      fail((e as Error).message, codeOf(e));
    }
  };
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
