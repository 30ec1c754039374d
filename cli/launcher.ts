// The daemon sets its own Node flags: `outpost run` started plainly (by a user, a service file, a
// script) re-executes itself once with DAEMON_NODE_FLAGS and DAEMON_ENV (core/engine/runtime.ts), so
// its memory stays bounded without anyone having to know a flag. On Unix process.execve replaces the
// process in place (same pid, nothing left behind); where it does not exist (Windows) a child is run
// with the flags and this process waits for it, passing signals on and exiting with its code.
// Imported first by cli/main.ts so nothing else is loaded before the re-exec.
import { spawn } from 'node:child_process';
import { DAEMON_ENV, DAEMON_NODE_FLAGS } from '../core/engine/runtime.js';

/** Set in the re-executed process: never re-exec twice, whatever the flags turned out to be. */
const MARK = 'OUTPOST_DAEMON_FLAGS';

function needsFlags(argv: string[], env: NodeJS.ProcessEnv): boolean {
  if (argv[0] !== 'run' || env[MARK] === '1') return false;
  const flagsOk = DAEMON_NODE_FLAGS.every((f) => process.execArgv.includes(f) || (env.NODE_OPTIONS ?? '').split(/\s+/).includes(f));
  const envOk = Object.entries(DAEMON_ENV).every(([k, v]) => env[k] === v);
  return !(flagsOk && envOk);
}

const argv = process.argv.slice(2);
if (process.argv[1] && needsFlags(argv, process.env)) {
  const args = [...DAEMON_NODE_FLAGS.filter((f) => !process.execArgv.includes(f)), ...process.execArgv, process.argv[1], ...argv];
  const env = { ...process.env, ...DAEMON_ENV, [MARK]: '1' };
  if (typeof process.execve === 'function') {
    try {
      process.execve(process.execPath, [process.execPath, ...args], env);
    } catch (e) {
      // Nothing is lost by running on without the flags; say why once.
      process.stderr.write(`outpost: could not restart with its memory flags (${(e as Error).message}); running without them.\n`);
    }
  } else {
    const child = spawn(process.execPath, args, { env, stdio: 'inherit', windowsHide: true });
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] as const) {
      process.on(sig, () => {
        child.kill(sig);
      });
    }
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    // Keep this process from loading the CLI: it only waits for the child.
    await new Promise(() => {});
  }
}
