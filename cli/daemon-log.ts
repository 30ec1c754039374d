// The logger of a daemon process (`outpost run`, also `--once`): JSON records to the rotating
// <home>/logs/outpost.log (core/log.ts), plus stderr — pretty on a terminal, plain text under
// systemd (its journal adds the time), nothing otherwise (start, launchd, Windows: the file is the log).
// OUTPOST_LOG_STDERR=pretty|text|json|off overrides the stderr choice; OUTPOST_LOG_LEVEL the level.
import { join } from 'node:path';
import type { Config } from '../core/config/schema.js';
import { createLogger, isLevel, type ClosableLogger, type LogTap } from '../core/log.js';

export function daemonLogger(
  home: string,
  config: Config,
  opts: { tap?: LogTap; onWriteError?: (code: string | null, message: string) => void } = {},
): ClosableLogger {
  const env = process.env.OUTPOST_LOG_STDERR;
  const console =
    env === 'pretty' || env === 'text' || env === 'json'
      ? env
      : env === 'off'
        ? false
        : process.stderr.isTTY
          ? process.env.NO_COLOR
            ? 'text'
            : 'pretty'
          : process.env.JOURNAL_STREAM
            ? 'text'
            : false;
  const level = isLevel(process.env.OUTPOST_LOG_LEVEL) ? process.env.OUTPOST_LOG_LEVEL : (config.logs?.level ?? 'info');
  return createLogger({
    file: join(home, 'logs', 'outpost.log'),
    maxFileBytes: Math.round((config.logs?.maxFileMiB ?? 10) * 1024 * 1024),
    files: config.logs?.files ?? 5,
    level,
    console,
    tap: opts.tap,
    onWriteError: opts.onWriteError,
  });
}
