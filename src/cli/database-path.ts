import path from 'node:path';
import type { RuleFile } from '../rules/schema.js';

/** The database path: relative paths are relative to the rule file, not to where the command runs. */
export function databasePath(ruleFile: string, rules: RuleFile, override?: string): string {
  const p = override ?? rules.database;
  return p === ':memory:' || path.isAbsolute(p) ? p : path.resolve(path.dirname(path.resolve(ruleFile)), p);
}
