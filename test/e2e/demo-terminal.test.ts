// The demo in a real terminal (tmux): every step of the Ink wizard answered with Enter only (each
// prefilled choice or form takes one Enter), the handoff, tickets flowing, then Ctrl+C stopping everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { skipOrFail } from '../helpers/skip.js';
import { waitFor } from '../helpers/wait.js';

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('outpost demo in a real terminal: Enter through the wizard, tickets flow, Ctrl+C stops', { timeout: 180_000 }, async (t) => {
  if (!hasTmux()) return skipOrFail(t, 'tmux is not installed (apt-get install tmux)');
  const home = mkdtempSync(join(tmpdir(), 'outpost-e2e-tty-'));
  const session = `outpost-e2e-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  t.after(() => {
    try {
      tmux('kill-session', '-t', session);
    } catch {
      /* already gone */
    }
    rmSync(home, { recursive: true, force: true });
  });
  const cmd = `OUTPOST_HOME='${home}' NO_COLOR=1 '${process.execPath}' '${CLI}' demo --no-open --simulate-every 0 --every 1s; echo "DEMO-EXIT=$?"; sleep 30`;
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '45', cmd);

  // What is on screen when the next Enter is due: one line per Enter, in order.
  const enters = [
    'Step 1 of 10: Welcome',
    'Which environment',
    'API URL',
    'Which database',
    'Driver: SQLite',
    'Step 4 of 10: Ticket table',
    'Step 5 of 10: Change detection',
    'Step 6 of 10: Plant time zone',
    'Which tickets should the mapping be checked on?',
    'How many',
    'sample rows from Tickets',
    '→ Done: every sample maps',
    'Where should the account token be kept?',
    'Save the profile, then:',
  ];
  for (const ready of enters) {
    await waitFor(`"${ready}" on screen`, () => screen().includes(ready), 30_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n--- screen ---\n${screen()}`);
    });
    if (ready === 'API URL')
      assert.doesNotMatch(screen(), new RegExp(readFileSync(join(home, 'demo', 'sandbox-token'), 'utf8').trim()), 'the token is masked');
    tmux('send-keys', '-t', session, 'Enter');
  }
  await waitFor('the handoff to finish', () => /Press Enter to finish/.test(screen()), 30_000);
  assert.match(screen(), /Daemon started/);
  await waitFor('the first acknowledged tickets', () => /acknowledged by the API/.test(screen()), 30_000);
  assert.match(screen(), /Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  tmux('send-keys', '-t', session, 'Enter');
  await waitFor('the live status line', () => /delivered [1-9]\d* · filtered \d+/.test(screen()), 30_000);

  const info = JSON.parse(readFileSync(join(home, 'demo', 'demo.json'), 'utf8')) as { sandboxUrl: string; tokenFile: string };
  const token = readFileSync(info.tokenFile, 'utf8').trim();
  const stats = (await (await fetch(`${info.sandboxUrl}/v1/_sandbox/stats`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
    tickets: number;
  };
  assert.ok(stats.tickets > 0, 'the sandbox holds delivered tickets');

  tmux('send-keys', '-t', session, 'C-c');
  await waitFor('the demo to stop', () => /DEMO-EXIT=0/.test(screen()), 30_000);
  assert.match(screen(), /Stopped\. Run it again/);
});
