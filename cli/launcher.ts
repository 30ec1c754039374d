// The daemon sets its own Node flags: `outpost run` started plainly (by a user, a service file, a
// script) re-executes itself once with DAEMON_NODE_FLAGS and DAEMON_ENV (core/engine/runtime.ts), so
// its memory stays bounded without anyone having to know a flag. On Unix process.execve replaces the
// process in place (same pid, nothing left behind); where it does not exist (Windows) a child is run
// with the flags and this process waits for it, passing signals on and exiting with its code.
// Imported first by cli/main.ts so nothing else is loaded before the re-exec.

/** Set in the re-executed process: never re-exec twice, whatever the flags turned out to be. */
const MARK = 'OUTPOST_DAEMON_FLAGS';

function needsFlags(argv: string[], env: NodeJS.ProcessEnv, DAEMON_NODE_FLAGS: string[], DAEMON_ENV: Record<string, string>): boolean {
  const flagsOk = DAEMON_NODE_FLAGS.every((f) => process.execArgv.includes(f) || (env.NODE_OPTIONS ?? '').split(/\s+/).includes(f));
  const envOk = Object.entries(DAEMON_ENV).every(([k, v]) => env[k] === v);
  return !(flagsOk && envOk);
}

/** The subcommand: the first word that is not an option (the global `--home DIR` takes a value). */
function subcommand(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--home') i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return undefined;
}

const argv = process.argv.slice(2);
// Only `outpost run` is looked at; other commands (`--version`) load nothing more.
const { DAEMON_ENV, DAEMON_NODE_FLAGS } =
  subcommand(argv) === 'run' && process.env[MARK] !== '1'
    ? await import('../core/engine/runtime.js')
    : { DAEMON_ENV: null, DAEMON_NODE_FLAGS: null };
if (process.argv[1] && DAEMON_NODE_FLAGS && DAEMON_ENV && needsFlags(argv, process.env, DAEMON_NODE_FLAGS, DAEMON_ENV)) {
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
    const { spawn } = await import('node:child_process');
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
