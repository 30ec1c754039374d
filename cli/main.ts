#!/usr/bin/env node
// The `outpost` command's entry point. It only checks the Node version, before anything else is
// loaded: the native state database driver crashes an older Node with no message at all (exit 139 on
// Node 20), so an older Node gets one sentence instead. No static import here on purpose.
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= 22)) {
  process.stderr.write(
    `error: Outpost needs Node.js 22 or newer and this is Node ${process.versions.node}; install Node.js 24 LTS and run it again.\n`,
  );
  process.exit(1);
}
// `outpost run` started without the daemon's Node flags re-executes itself with them (cli/launcher.ts).
await import('./launcher.js');
await import('./program.js');
