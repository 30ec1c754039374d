// The demo in a real terminal (tmux): every step of the Ink wizard answered with Enter only (each
// prefilled choice or form takes one Enter), the handoff, tickets flowing, then Ctrl+C stopping everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { skipOrFail } from '../helpers/skip.js';
import { hasTmux, openTerminal } from '../helpers/tmux.js';

test('outpost demo in a real terminal: Enter through the wizard, tickets flow, Ctrl+C stops', { timeout: 180_000 }, async (t) => {
  if (!hasTmux()) return skipOrFail(t, 'tmux is not installed (apt-get install tmux)');
  const home = mkdtempSync(join(tmpdir(), 'outpost-e2e-tty-'));
  const cmd = `OUTPOST_HOME='${home}' NO_COLOR=1 '${process.execPath}' '${CLI}' demo --no-open --simulate-every 0 --every 1s; echo "DEMO-EXIT=$?"; sleep 30`;
  const term = openTerminal('outpost-e2e', 120, 45, cmd);
  const { screen } = term;
  t.after(() => {
    term.close();
    rmSync(home, { recursive: true, force: true });
  });

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
    await term.see(ready);
    if (ready === 'API URL')
      assert.doesNotMatch(screen(), new RegExp(readFileSync(join(home, 'demo', 'sandbox-token'), 'utf8').trim()), 'the token is masked');
    term.keys('Enter');
  }
  await term.see(/Press Enter to finish/);
  assert.match(screen(), /Daemon started/);
  await term.see(/acknowledged by the API/);
  assert.match(screen(), /Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  term.keys('Enter');
  await term.see(/delivered [1-9]\d* · filtered \d+/);

  const info = JSON.parse(readFileSync(join(home, 'demo', 'demo.json'), 'utf8')) as { sandboxUrl: string; tokenFile: string };
  const token = readFileSync(info.tokenFile, 'utf8').trim();
  const stats = (await (await fetch(`${info.sandboxUrl}/v1/_sandbox/stats`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
    tickets: number;
  };
  assert.ok(stats.tickets > 0, 'the sandbox holds delivered tickets');

  term.keys('C-c');
  await term.see(/DEMO-EXIT=0/);
  assert.match(screen(), /Stopped\. Run it again/);
});
