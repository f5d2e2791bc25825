import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The malloc settings `bin/strangler` gives the proxy, read from the script
 * itself (its `: "${NAME:=VALUE}"` lines), so that the soak runs the
 * in-process peer as the installed command would run `strangler start`.
 * As in the script, a variable already in this environment wins.
 */

const COMMAND = fileURLToPath(new URL('../../bin/strangler', import.meta.url));

export function commandMallocEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of readFileSync(COMMAND, 'utf8').matchAll(/^: "\$\{(MALLOC_\w+):=([^}]*)\}"$/gm)) {
    env[m[1]!] = process.env[m[1]!] ?? m[2]!;
  }
  if (Object.keys(env).length === 0) throw new Error(`${COMMAND}: no MALLOC_* defaults found`);
  return env;
}
