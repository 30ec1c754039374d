// `outpost resume [--profile P]`: see sync.ts.
import type { Command } from 'commander';
import { registerControl } from './sync.js';

export function register(program: Command): void {
  registerControl(program, 'resume');
}
