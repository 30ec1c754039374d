// `outpost sandbox`: run the local ingest API (docs/design.md §2.3) until SIGINT/SIGTERM.
// Tokens never come via argv: they come from OUTPOST_SANDBOX_TOKENS or <data>/accounts.json.
import { InvalidArgumentError, type Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ACCOUNTS_FILE, TOKENS_ENV } from '../../core/sandbox/accounts.js';
import type { SandboxFaults } from '../../core/sandbox/server.js';

interface SandboxCliOptions {
  port: number;
  host: string;
  data: string;
  errorRate?: number;
  latency?: number;
  dropRate?: number;
  throttleRate?: number;
  retryAfter?: string;
  timeoutRate?: number;
  seed?: number;
  json?: boolean;
}

function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535.');
  return Number(v);
}

function parseRate(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1.');
  return n;
}

function parseNonNegInt(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a whole number of 0 or more.');
  return Number(v);
}

function parseInt32(v: string): number {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('must be a whole number.');
  return Number(v);
}

function faultsFrom(o: SandboxCliOptions): SandboxFaults {
  const f: SandboxFaults = {};
  if (o.errorRate !== undefined) f.errorRate = o.errorRate;
  if (o.latency !== undefined) f.latencyMs = o.latency;
  if (o.dropRate !== undefined) f.dropRate = o.dropRate;
  if (o.throttleRate !== undefined) f.throttleRate = o.throttleRate;
  if (o.retryAfter !== undefined) f.retryAfter = o.retryAfter;
  if (o.timeoutRate !== undefined) f.timeoutRate = o.timeoutRate;
  if (o.seed !== undefined) f.seed = o.seed;
  return f;
}

function fail(sentence: string): void {
  process.stderr.write(sentence + '\n');
  process.exitCode = 1;
}

async function runSandbox(o: SandboxCliOptions): Promise<void> {
  // Loaded here, not at the top: `outpost --version` must not pay for SQLite and zod.
  const { loadAccounts } = await import('../../core/sandbox/accounts.js');
  const { startSandbox } = await import('../../core/sandbox/server.js');
  const dataDir = resolve(o.data);
  let loaded;
  try {
    mkdirSync(dataDir, { recursive: true });
    loaded = loadAccounts(dataDir);
  } catch (err) {
    return fail(err instanceof Error ? err.message : `Could not read the sandbox accounts in ${dataDir}; check the folder.`);
  }

  // With --json, stdout carries exactly one JSON line; the request log goes to stderr.
  const out = o.json ? process.stderr : process.stdout;
  let handle;
  try {
    handle = await startSandbox({
      port: o.port,
      host: o.host,
      dbFile: join(dataDir, 'sandbox.db'),
      accounts: loaded.accounts,
      faults: faultsFrom(o),
      log: (line) => out.write(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      return fail(`Port ${o.port} on ${o.host} is already in use; stop the program using it or pick another port with --port.`);
    }
    if (code === 'EACCES') return fail(`Not allowed to listen on port ${o.port}; pick a port above 1024 with --port.`);
    if (code === 'EADDRNOTAVAIL') return fail(`${o.host} is not an address of this machine; use --host 127.0.0.1.`);
    return fail(
      `The sandbox could not start (${err instanceof Error ? err.message : String(err)}); check the --data folder and try again.`,
    );
  }

  if (o.json) {
    process.stdout.write(JSON.stringify({ url: handle.url, port: handle.port, accountsFile: loaded.accountsFile }) + '\n');
  } else {
    process.stdout.write(`Outpost sandbox listening on ${handle.url}\n`);
    if (loaded.created) {
      process.stdout.write(`Created ${loaded.accountsFile} with a new account token; read the token from that file.\n`);
    } else if (loaded.accountsFile) {
      process.stdout.write(`Accounts: ${loaded.accountsFile} (${loaded.accounts.length})\n`);
    } else {
      process.stdout.write(`Accounts: from ${TOKENS_ENV} (${loaded.accounts.length})\n`);
    }
    process.stdout.write('Press Ctrl+C to stop.\n');
  }

  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await handle.close();
  if (!o.json) process.stdout.write('Sandbox stopped.\n');
  process.exitCode = 0;
}

export function register(program: Command): void {
  program
    .command('sandbox')
    .description('Run a local ingest API that Outpost can post to (for tests, demos and trying a setup).')
    .option('--port <n>', 'port to listen on (0 = any free port)', parsePort, 8787)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', `folder for the sandbox database and ${ACCOUNTS_FILE}`, './.outpost/sandbox')
    .option('--error-rate <n>', 'share of batches answered 503 (0 to 1)', parseRate)
    .option('--latency <ms>', 'delay before answering each batch, in milliseconds', parseNonNegInt)
    .option('--drop-rate <n>', 'share of batches whose connection is reset without an answer (0 to 1)', parseRate)
    .option('--throttle-rate <n>', 'share of batches answered 429 (0 to 1)', parseRate)
    .option('--retry-after <value>', "Retry-After value sent with 429, seconds or an HTTP date (default '1')")
    .option('--timeout-rate <n>', 'share of batches stored but never answered (0 to 1)', parseRate)
    .option('--seed <n>', 'seed for the fault dice, so a run replays the same faults', parseInt32)
    .option('--json', 'print one JSON line {url, port, accountsFile} instead of text')
    .addHelpText(
      'after',
      `\nAccount tokens are read from ${TOKENS_ENV} (comma-separated) or <data>/${ACCOUNTS_FILE};\n` +
        'if neither exists, the file is created with one new token (readable only by you).\n',
    )
    .action(async (o: SandboxCliOptions) => {
      await runSandbox(o);
    });
}
