import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { MigrationControl } from '../src/progress/migration-control.js';
import { tableOf } from '../src/rules/rule-table.js';
import { openDatabase } from '../src/store/open-database.js';
import { nextRestart, MAX_DELAY_MS, STABLE_MS } from '../src/cli/restart-backoff.js';
import { parseWorkersOption, workerCount } from '../src/cli/worker-count.js';
import { formatRuleErrors, loadRuleText } from '../src/rules/load.js';
import { shareShadowBudgets } from '../src/router/shadow-budget-share.js';

/** `workers: N` as a setting: the rule file, the flag, `auto`, and what each worker's rules are. */

const file = (workers: string) => `legacy: http://127.0.0.1:3000\nworkers: ${workers}\n`;

describe('workers in the rule file', () => {
  it('takes a whole number, auto, or a ${VAR} that holds one; absent means one process', () => {
    const load = (text: string) => {
      const r = loadRuleText(text, 'strangler.yaml', { W: '3' });
      if (!r.ok) throw new Error(formatRuleErrors(r.errors));
      return r.rules.workers;
    };
    expect(load(file('2'))).toBe(2);
    expect(load(file('auto'))).toBe('auto');
    expect(load(file('"${W}"'))).toBe(3);
    expect(load('legacy: http://127.0.0.1:3000\n')).toBeUndefined();
  });

  it.each(['0', '-1', 'two', '1.5', '257', 'true'])('refuses workers: %s with its line, column and the rule', (value) => {
    const r = loadRuleText(file(value), 'strangler.yaml', {});
    expect(r.ok).toBe(false);
    expect(formatRuleErrors(r.ok ? [] : r.errors)).toBe('strangler.yaml:2:10 workers: workers is a whole number from 1 to 256, or auto for one per core');
  });
});

describe('workers through the admin API', () => {
  it('is refused in a rule table, like listen: only the file sets it', () => {
    const db = openDatabase(':memory:');
    try {
      const loaded = loadRuleText(file('2'), 'strangler.yaml', {});
      if (!loaded.ok) throw new Error(formatRuleErrors(loaded.errors));
      const control = new MigrationControl(db, loaded.rules, () => {}, silentLogger, undefined);
      control.start(loaded.rules);
      expect(control.parse({ ...tableOf(loaded.rules), workers: 4 })).toEqual({
        ok: false,
        issues: [{ path: 'workers', message: 'workers is a process setting; it is set only in the rule file, at start' }],
      });
      // A table without it keeps the file's setting in the rules in force.
      const parsed = control.parse(tableOf(loaded.rules));
      expect(parsed.ok && parsed.rules.workers).toBe(2);
    } finally {
      db.close();
    }
  });
});

describe('the number of workers', () => {
  it('is the flag, else the file, else 1; auto is one per core', () => {
    expect(workerCount(undefined, undefined, 8)).toBe(1);
    expect(workerCount(undefined, 3, 8)).toBe(3);
    expect(workerCount(2, 3, 8)).toBe(2);
    expect(workerCount('auto', 1, 8)).toBe(8);
    expect(workerCount(undefined, 'auto', 2)).toBe(2);
    expect(workerCount(1, 'auto', 2)).toBe(1);
  });

  it('--workers takes the same values as the file, and says what it wants otherwise', () => {
    expect(parseWorkersOption('4')).toBe(4);
    expect(parseWorkersOption('auto')).toBe('auto');
    for (const bad of ['0', 'x', '2.5', '-3', '1000']) {
      expect(() => parseWorkersOption(bad)).toThrow(InvalidArgumentError);
      expect(() => parseWorkersOption(bad)).toThrow(`expected a whole number from 1 to 256, or auto for one per core; got "${bad}"`);
    }
  });
});

describe('restarting a worker that exited', () => {
  it('restarts a worker that ran a while at once, and backs off one that keeps dying early', () => {
    expect(nextRestart({ failures: 5 }, STABLE_MS)).toEqual({ failures: 0, delayMs: 100 });
    let b = { failures: 0, delayMs: 0 };
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) delays.push((b = nextRestart(b, 50)).delayMs);
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 6400, MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS]);
  });
});

describe("each worker's shadow budget", () => {
  const rules = loadRuleText(
    `legacy: http://127.0.0.1:3000
services: { svc: http://127.0.0.1:4000 }
routes:
  - { name: a, match: { path: /a }, mode: shadow, service: svc, shadow: { maxPerSecond: 90, percent: 50 } }
  - { name: b, match: { path: /b }, mode: shadow, service: svc }
  - { name: c, match: { path: /c }, mode: canary, service: svc, canary: { percent: 10 }, shadow: { against: legacy, maxPerSecond: 10 } }
  - { name: d, match: { path: /d }, mode: service, service: svc }
`,
    'strangler.yaml',
    {},
  );
  if (!rules.ok) throw new Error(formatRuleErrors(rules.errors));

  it('is the route budget divided by the workers, the default one included, so all of them together keep it', () => {
    const shared = shareShadowBudgets(rules.rules, 3);
    expect(shared.routes.map((r) => r.shadow?.maxPerSecond)).toEqual([30, 200 / 3, 10 / 3, undefined]);
    // Nothing else moves.
    expect(shared.routes[0]!.shadow).toEqual({ ...rules.rules.routes[0]!.shadow, maxPerSecond: 30 });
    expect(shared.routes[3]).toBe(rules.rules.routes[3]);
    expect({ ...shared, routes: [] }).toEqual({ ...rules.rules, routes: [] });
  });

  it('is the route budget itself with one worker', () => {
    expect(shareShadowBudgets(rules.rules, 1)).toBe(rules.rules);
  });
});
