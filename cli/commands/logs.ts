// `outpost logs [-f] [--level L] [-n N] [--json]`: the daemon's log (<home>/logs/outpost.log and its
// rotated files, JSON records — core/log.ts), as readable lines or as the records themselves.
// `-f` follows the file across rotations until Ctrl+C.
import type { Command } from 'commander';
import { closeSync, existsSync, openSync, readSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { home } from '../context.js';
import { EXIT, fail, useColor } from '../output.js';

export function register(program: Command): void {
  program
    .command('logs')
    .description("show the daemon's log (-f follows it)")
    .option('-f, --follow', 'keep printing new records as they are written (Ctrl+C stops)')
    .option('--level <level>', 'only records at this level or above: debug, info, warn, error', 'info')
    .option('-n, --lines <n>', 'how many of the last records to show first', '50')
    .option('--json', 'print the records as JSON lines')
    .action(async (opts: { follow?: boolean; level: string; lines: string; json?: boolean }) => {
      const { formatRecord, isLevel, levelRank, parseRecord, DEFAULT_LOG_FILES } = await import('../../core/log.js');
      if (!isLevel(opts.level)) fail(`--level must be one of debug, info, warn, error (not "${opts.level}").`, EXIT.usage);
      const count = Number(opts.lines);
      if (!Number.isInteger(count) || count < 0) fail(`--lines must be a whole number (not "${opts.lines}").`, EXIT.usage);
      const file = join(home(), 'logs', 'outpost.log');
      if (!existsSync(file) && !opts.follow) fail(`There is no log at ${file} yet; the daemon writes it once started ("outpost start").`);
      const min = levelRank(opts.level);
      const color = useColor();
      const show = (line: string) => {
        const r = parseRecord(line);
        if (!r || levelRank(r.level) < min) return;
        process.stdout.write((opts.json ? JSON.stringify(r) : formatRecord(r, { color, date: true })) + '\n');
      };

      // The last `count` matching records: from the current file, then older rotated ones as needed.
      const picked: string[] = [];
      for (let i = 0; i <= DEFAULT_LOG_FILES + 20 && picked.length < count; i++) {
        const f = i === 0 ? file : `${file}.${i}`;
        if (!existsSync(f)) break;
        const lines = readFileSync(f, 'utf8')
          .split('\n')
          .filter((l) => {
            const r = parseRecord(l);
            return r !== null && levelRank(r.level) >= min;
          });
        picked.unshift(...lines.slice(Math.max(0, lines.length - (count - picked.length))));
      }
      for (const l of picked) show(l);
      if (!opts.follow) return;

      // Follow: poll the file; a rotation (new inode, or a shorter file) starts over at its beginning.
      let ino = existsSync(file) ? statSync(file).ino : -1;
      let offset = existsSync(file) ? statSync(file).size : 0;
      let partial = '';
      const buf = Buffer.alloc(64 * 1024);
      const tick = () => {
        let st;
        try {
          st = statSync(file);
        } catch {
          return; // between a rotation's rename and the next write
        }
        if (st.ino !== ino || st.size < offset) {
          ino = st.ino;
          offset = 0;
          partial = '';
        }
        if (st.size <= offset) return;
        const fd = openSync(file, 'r');
        try {
          for (;;) {
            const n = readSync(fd, buf, 0, buf.length, offset);
            if (n <= 0) break;
            offset += n;
            const text = partial + buf.subarray(0, n).toString('utf8');
            const lines = text.split('\n');
            partial = lines.pop() ?? '';
            for (const l of lines) show(l);
          }
        } finally {
          closeSync(fd);
        }
      };
      const timer = setInterval(tick, 300);
      const end = () => {
        clearInterval(timer);
        process.exit(EXIT.ok);
      };
      process.on('SIGINT', end);
      process.on('SIGTERM', end);
    });
}
