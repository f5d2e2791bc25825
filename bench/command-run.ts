import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildOptions } from './children.js';

/**
 * How `bin/strangler` runs node, read from the script itself, so that the
 * benchmark and the soak run strangler's peers as the installed command
 * would run `strangler start`: its malloc settings (the `: "${NAME:=VALUE}"`
 * lines) and node's own flags (the words between `exec "${NODE:-node}"` and
 * the script's path). As in the script, a malloc variable already in this
 * environment wins.
 */

const COMMAND = fileURLToPath(new URL('../../bin/strangler', import.meta.url));

let text: string | undefined;
/** Read once: the benchmark asks for every peer it starts. */
const script = () => (text ??= readFileSync(COMMAND, 'utf8'));

export function commandMallocEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of script().matchAll(/^: "\$\{(MALLOC_\w+):=([^}]*)\}"$/gm)) {
    env[m[1]!] = process.env[m[1]!] ?? m[2]!;
  }
  if (Object.keys(env).length === 0) throw new Error(`${COMMAND}: no MALLOC_* defaults found`);
  return env;
}

export function commandNodeFlags(): string[] {
  const m = /^exec "\$\{NODE:-node\}" (.*?)\s*"\$\(dirname/m.exec(script());
  if (!m) throw new Error(`${COMMAND}: no exec "\${NODE:-node}" … line found`);
  return m[1]!.split(/\s+/).filter((word) => word !== '');
}

/** Both, as startChild options. */
export function asTheCommandRuns(): ChildOptions {
  return { env: commandMallocEnv(), nodeFlags: commandNodeFlags() };
}
