// The dashboard link's secret never goes on a command line: the browser is opened on a 0600
// redirect file whose path is all the opener gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openInBrowser, writeRedirectFile } from '../../core/browser-open.js';

const URL_WITH_SECRET = 'http://127.0.0.1:4321/?k=s3cr3t-launch-7Gh2&x="<y>';

test('the opener gets a file URL without the secret; the file is 0600 and sends the browser on', async () => {
  const run = join(mkdtempSync(join(tmpdir(), 'outpost-open-')), 'run');
  const targets: string[] = [];
  const file = await openInBrowser(URL_WITH_SECRET, run, async (t) => void targets.push(t));
  assert.equal(targets.length, 1);
  assert.match(targets[0], /^file:\/\/.*open-dashboard\.html$/);
  assert.ok(!targets[0].includes('s3cr3t'), 'the secret is not in what is put on a command line');
  assert.equal(fileURLToPath(targets[0]), file);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(run).mode & 0o777, 0o700);
  const html = readFileSync(file, 'utf8');
  assert.ok(
    html.includes('content="0;url=http://127.0.0.1:4321/?k=s3cr3t-launch-7Gh2&amp;x=&quot;&lt;y&gt;"'),
    'meta refresh, attribute-escaped',
  );
  assert.ok(
    html.includes('location.replace("http://127.0.0.1:4321/?k=s3cr3t-launch-7Gh2&x=\\"\\u003cy>")'),
    'script redirect, no markup break-out',
  );
  assert.throws(() => writeRedirectFile(run, 'javascript:alert(1)'), /Only an http\(s\) dashboard link/);
});
