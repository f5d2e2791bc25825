import { describe, expect, it } from 'vitest';
import { checkTransition, type Evidence } from '../src/progress/guard.js';
import { guardFor, readinessOf } from '../src/progress/readiness.js';
import { RuleFileSchema } from '../src/rules/schema.js';

const GUARD = { minSamples: 100, minMatchRate: 99.5 };

describe('readiness: one rule for the report, the dashboard and the guard', () => {
  it('is ready with enough samples, the rate at the threshold, no regression and failures within 1 % per category', () => {
    const r = readinessOf({ compared: 400, netMatchRate: 99.5, regressions: [], failures: { match: 398, 'shadow-timeout': 4 } }, GUARD);
    expect(r).toEqual({ state: 'ready', reasons: [], minSamples: 100, minMatchRate: 99.5 });
  });

  it('is unknown with too few samples, and says how many it has and needs', () => {
    const r = readinessOf({ compared: 12, netMatchRate: 100 }, GUARD);
    expect(r.state).toBe('unknown');
    expect(r.reasons).toEqual(['12 compared samples; the guard needs at least 100']);
  });

  it('is not ready under the threshold, naming the rate and the threshold', () => {
    const r = readinessOf({ compared: 400, netMatchRate: 97.25 }, GUARD);
    expect(r).toMatchObject({ state: 'not-ready', reasons: ["net match rate 97.25% is under the guard's 99.5%"] });
  });

  it('is not ready with a regression group even when the rate is over the threshold', () => {
    const r = readinessOf({ compared: 10_000, netMatchRate: 99.9, regressions: ['$.total (changed)'] }, GUARD);
    expect(r.state).toBe('not-ready');
    expect(r.reasons).toEqual(['1 regression group: $.total (changed)']);
  });

  it('is not ready when one failure category is over 1 % of the copies sent, though the total of several small ones is not judged', () => {
    const over = readinessOf({ compared: 300, netMatchRate: 100, failures: { 'shadow-timeout': 10 } }, GUARD);
    expect(over.state).toBe('not-ready');
    expect(over.reasons).toEqual(['3.2% of shadow copies ended in shadow-timeout (10 of 310); the guard allows 1% per category']);
    // Three categories of 1 % each (3 of 300 sent): none is over, so none blocks.
    const spread = readinessOf({ compared: 291, netMatchRate: 100, failures: { 'shadow-timeout': 3, 'shadow-reset': 3, unparseable: 3 } }, GUARD);
    expect(spread.state).toBe('ready');
  });

  it('takes a route its own guard fields, the global guard for the rest', () => {
    const rules = RuleFileSchema.parse({
      legacy: 'http://127.0.0.1:9',
      services: { s: 'http://127.0.0.1:9' },
      guard: { minSamples: 300, minMatchRate: 99 },
      routes: [{ name: 'strict', match: { path: '/a' }, mode: 'shadow', service: 's', guard: { minMatchRate: 99.9 } }],
    });
    expect(guardFor(rules, 'strict')).toEqual({ minSamples: 300, minMatchRate: 99.9 });
    expect(guardFor(rules, null)).toEqual({ minSamples: 300, minMatchRate: 99 });
  });

  it('the promotion guard refuses for exactly the reasons an endpoint is not ready', () => {
    const evidence: Evidence = {
      route: 'orders',
      compared: 500,
      netMatchRate: 99.8,
      regressions: ['GET /api/orders/{id} $.total (changed)'],
      failures: { 'shadow-reset': 20 },
      requests: 600,
      byTarget: { legacy: 600 },
      window: '24h',
    };
    const check = checkTransition({ mode: 'shadow', percent: null }, { mode: 'canary', percent: 10 }, GUARD, evidence, false);
    expect(check.allowed).toBe(false);
    expect(check.reasons).toEqual(readinessOf(evidence, GUARD).reasons);
    expect(check.reasons.join(' | ')).toContain('regression group');
    expect(check.reasons.join(' | ')).toContain('shadow-reset');
  });
});
