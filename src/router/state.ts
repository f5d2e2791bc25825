import { compileTable, type RouteTable } from '../rules/compile.js';
import type { RuleFile } from '../rules/schema.js';
import { TargetPools, type Target } from './targets.js';

/**
 * What the data plane routes with: one immutable snapshot of the compiled
 * table and its targets. A reload builds a new snapshot and swaps one
 * reference; a request keeps the snapshot it started with.
 */
export interface RoutingState {
  readonly table: RouteTable;
  readonly targets: ReadonlyMap<string, Target>;
  readonly loadedAt: Date;
}

export function buildState(rules: RuleFile, pools: TargetPools): RoutingState {
  // Compile first: a table that does not compile must not touch the pools in use.
  const table = compileTable(rules);
  return { table, targets: pools.build(rules), loadedAt: new Date() };
}
