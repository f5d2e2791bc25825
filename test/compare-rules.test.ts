import { describe, expect, it } from 'vitest';
import { CompareSchema, type CompareRules } from '../src/rules/schema.js';
import { compareResponses } from '../src/shadow/compare.js';
import { compareRulesProblems } from '../src/shadow/compare-rules.js';
import { formatPath, groupPath, matchesPath, parseConcretePath, parsePathPattern, pathPatternError, type PathStep } from '../src/shadow/json-path.js';
import type { CapturedResponse } from '../src/shadow/types.js';

const rules = (r: Partial<CompareRules>): CompareRules => CompareSchema.parse(r);

function res(body: unknown, headers: string[] = [], status = 200): CapturedResponse {
  return { status, headers: ['Content-Type', 'application/json', ...headers], body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), truncated: false };
}

const compare = (legacy: unknown, other: unknown, r: Partial<CompareRules> = {}) => compareResponses(res(legacy), res(other), rules(r)).differences;

describe('path patterns', () => {
  const matches = (pattern: string, path: PathStep[]) => matchesPath(parsePathPattern(pattern), path);

  it('reads every supported form', () => {
    expect(parsePathPattern('$').steps).toEqual([]);
    expect(parsePathPattern("$.a['b.c'][3][*].*..d..[0]..['e f']..*").steps).toEqual([
      { kind: 'member', name: 'a' },
      { kind: 'member', name: 'b.c' },
      { kind: 'index', index: 3 },
      { kind: 'any' },
      { kind: 'any' },
      { kind: 'descend', step: { kind: 'member', name: 'd' } },
      { kind: 'descend', step: { kind: 'index', index: 0 } },
      { kind: 'descend', step: { kind: 'member', name: 'e f' } },
      { kind: 'descend', step: { kind: 'any' } },
    ]);
    expect(parsePathPattern('$["it\'s"][\'say \\"hi\\"\'][\'\\u00e9\\\\\']').steps).toEqual([
      { kind: 'member', name: "it's" },
      { kind: 'member', name: 'say "hi"' },
      { kind: 'member', name: 'é\\' },
    ]);
  });

  it('refuses what it does not understand, saying where', () => {
    for (const bad of ['items', '$.', '$..', '$[', '$[-1]', '$[1', "$['a", '$[?(@.a)]', '$[0:2]', '$a', '$.a]', "$['\\x']", '$[01]']) {
      expect(pathPatternError(bad), bad).toMatch(/at character \d+/);
    }
    expect(pathPatternError('$.items[*].price')).toBeNull();
  });

  it('matches exact steps, indices and wildcards', () => {
    expect(matches('$', [])).toBe(true);
    expect(matches('$', ['a'])).toBe(false);
    expect(matches('$.items[*].price', ['items', 3, 'price'])).toBe(true);
    expect(matches('$.items[*].price', ['items', 3])).toBe(false);
    expect(matches('$.items[*].price', ['items', 3, 'price', 'x'])).toBe(false);
    expect(matches('$.items[3].price', ['items', 4, 'price'])).toBe(false);
    expect(matches('$.a.*', ['a', 'b'])).toBe(true);
    expect(matches("$['a.b']", ['a.b'])).toBe(true);
    expect(matches('$.a.b', ['a.b'])).toBe(false);
    // An index is not a member name that happens to be digits.
    expect(matches('$.a[0]', ['a', '0'])).toBe(false);
    expect(matches("$.a['0']", ['a', 0])).toBe(false);
  });

  it('matches recursive descent at any depth, including directly under the root', () => {
    expect(matches('$..ssn', ['ssn'])).toBe(true);
    expect(matches('$..ssn', ['people', 4, 'ssn'])).toBe(true);
    expect(matches('$..ssn', ['people', 4, 'ssnx'])).toBe(false);
    expect(matches('$..ssn', ['ssn', 'x'])).toBe(false);
    expect(matches('$.a..b.c', ['a', 'x', 'b', 'c'])).toBe(true);
    expect(matches('$.a..b.c', ['a', 'b', 'c'])).toBe(true);
    expect(matches('$.a..b.c', ['b', 'c'])).toBe(false);
    expect(matches('$..[0]', ['x', 0])).toBe(true);
    expect(matches('$..*', ['x', 0])).toBe(true);
  });

  it('builds concrete paths that quote odd names and read back', () => {
    const names = ['plain', 'a.b', "it's", 'x y', '0', '', '*', 'é', 'line\nbreak', 'back\\slash', '$ref', 'a-b', '[x]'];
    for (const name of names) {
      const path: PathStep[] = ['root', name, 2];
      const text = formatPath(path);
      expect(parseConcretePath(text), text).toEqual(path);
    }
    expect(formatPath(['a.b'])).toBe("$['a.b']");
    expect(formatPath(['items', 3, 'price'])).toBe('$.items[3].price');
    expect(formatPath([])).toBe('$');
    expect(parseConcretePath('$.items[*]')).toBeNull();
    expect(parseConcretePath('status')).toBeNull();
  });

  it('groups concrete paths by turning indices into [*]', () => {
    expect(groupPath('$.items[3].price')).toBe('$.items[*].price');
    expect(groupPath('$[0][12].a')).toBe('$[*][*].a');
    expect(groupPath("$['a.b'][1]")).toBe("$['a.b'][*]");
    expect(groupPath("$['*']")).toBe("$['*']");
    expect(groupPath('$')).toBe('$');
    expect(groupPath('status')).toBe('status');
    expect(groupPath('header:x-b3[1]')).toBe('header:x-b3[1]');
    expect(groupPath('body')).toBe('body');
  });
});

describe('compareRulesProblems', () => {
  it('names each unusable entry by its field, for the rule loader to refuse', () => {
    const problems = compareRulesProblems(rules({ ignore: ['$.ok', 'header:x-trace', 'status', 'body', 'meta.x', 'header:'], unordered: ['$.tags', 'tags'], keyedArrays: { '$.items': 'id', '$[': 'id' }, tolerance: { '$..price': 0.01, 'price': 0.01 } }));
    expect(problems.map((p) => p.field)).toEqual(['ignore[4]', 'ignore[5]', 'unordered[1]', 'keyedArrays.$[', 'tolerance.price']);
    expect(problems[0]!.message).toContain('header:<name>');
  });

  it('an unusable entry selects nothing at compare time rather than throwing', () => {
    expect(compare({ a: 1 }, { a: 2 }, { ignore: ['a', '$['] })).toEqual([{ path: '$.a', kind: 'changed' }]);
  });
});

describe('ignore', () => {
  it('leaves out the example paths of the issue, at any index, whether changed, missing or extra', () => {
    const legacy = { meta: { generatedAt: 'T1', v: 1 }, items: [{ id: 1, updatedAt: 'a' }, { id: 2, updatedAt: 'b' }] };
    const other = { meta: { generatedAt: 'T2', v: 1 }, items: [{ id: 1, updatedAt: 'c' }, { id: 2 }] };
    // Listed sorted by path, indices as numbers.
    expect(compare(legacy, other)).toEqual([
      { path: '$.items[0].updatedAt', kind: 'changed' },
      { path: '$.items[1].updatedAt', kind: 'missing' },
      { path: '$.meta.generatedAt', kind: 'changed' },
    ]);
    expect(compare(legacy, other, { ignore: ['$.meta.generatedAt', '$.items[*].updatedAt'] })).toEqual([]);
    expect(compare({ a: 1 }, { a: 1, generatedAt: 2 }, { ignore: ['$.generatedAt'] })).toEqual([]);
  });

  it('leaves out a whole subtree, or everything with $', () => {
    expect(compare({ meta: { a: 1, b: [1] } }, { meta: 'x' }, { ignore: ['$.meta'] })).toEqual([]);
    expect(compare({ a: 1 }, [1], { ignore: ['$'] })).toEqual([]);
  });

  it('leaves out a member at any depth with ..', () => {
    expect(compare({ a: { etag: 1, x: [{ etag: 2 }] } }, { a: { etag: 3, x: [{ etag: 4 }] } }, { ignore: ['$..etag'] })).toEqual([]);
  });

  it('leaves out headers by name, case-insensitively, or by prefix', () => {
    const legacy = res({}, ['X-Trace', 'a', 'X-B3-TraceId', '1', 'X-Kept', '1']);
    const other = res({}, ['x-trace', 'b', 'x-b3-spanid', '2', 'X-Kept', '2']);
    expect(compareResponses(legacy, other, rules({ ignore: ['header:x-trace', 'header:X-B3-*'] })).differences).toEqual([{ path: 'header:x-kept', kind: 'changed' }]);
  });

  it('leaves out the status or the whole body when asked', () => {
    expect(compareResponses(res({ a: 1 }, [], 200), res({ a: 2 }, [], 201), rules({ ignore: ['status', 'body'] }))).toEqual({ outcome: 'match', differences: [] });
    const text = (s: string): CapturedResponse => ({ status: 200, headers: ['Content-Type', 'text/plain'], body: Buffer.from(s), truncated: false });
    expect(compareResponses(text('a'), text('b'), rules({ ignore: ['body'] })).outcome).toBe('match');
  });

  it('ignored members do not stop reordered elements from being one order difference', () => {
    const legacy = [{ id: 1, at: 'x' }, { id: 2, at: 'y' }];
    const other = [{ id: 2, at: 'q' }, { id: 1, at: 'r' }];
    expect(compare(legacy, other, { ignore: ['$[*].at'] })).toEqual([{ path: '$', kind: 'order' }]);
  });
});

describe('unordered', () => {
  it('compares the array as a multiset: no order difference', () => {
    expect(compare({ tags: ['a', 'b', 'c'] }, { tags: ['c', 'b', 'a'] }, { unordered: ['$.tags'] })).toEqual([]);
    expect(compare({ tags: ['a', 'b', 'c'] }, { tags: ['c', 'b', 'a'] })).toEqual([{ path: '$.tags', kind: 'order' }]);
  });

  it('reports elements without a partner as missing (legacy index) and extra (service index)', () => {
    expect(compare({ tags: ['a', 'b', 'c'] }, { tags: ['d', 'c', 'a'] }, { unordered: ['$.tags'] })).toEqual([
      { path: '$.tags[0]', kind: 'extra' },
      { path: '$.tags[1]', kind: 'missing' },
    ]);
  });

  it('counts duplicates', () => {
    expect(compare({ t: ['a', 'a', 'b'] }, { t: ['b', 'a', 'b'] }, { unordered: ['$.t'] })).toEqual([
      { path: '$.t[1]', kind: 'missing' },
      { path: '$.t[2]', kind: 'extra' },
    ]);
    expect(compare({ t: ['a'] }, { t: ['a', 'a'] }, { unordered: ['$.t'] })).toEqual([{ path: '$.t[1]', kind: 'extra' }]);
  });

  it('matches elements by meaning: objects with members in any order, 1.0 and 1, nested unordered arrays', () => {
    const legacy = { t: [{ a: 1, b: [1, 2] }, { a: 2.0, b: [] }] };
    const other = { t: [{ b: [], a: 2 }, { b: [2, 1], a: 1 }] };
    expect(compare(legacy, JSON.parse(JSON.stringify(other).replace('"a":2', '"a":2.0')), { unordered: ['$.t', '$.t[*].b'] })).toEqual([]);
  });

  it('applies at every index with [*], and inside elements ignore and tolerance still hold', () => {
    const legacy = { items: [{ tags: ['x', 'y'] }], list: [{ v: 1.0, at: 'a' }, { v: 2, at: 'b' }] };
    const other = { items: [{ tags: ['y', 'x'] }], list: [{ v: 2.0004, at: 'c' }, { v: 1, at: 'd' }] };
    expect(compare(legacy, other, { unordered: ['$.items[*].tags', '$.list'], ignore: ['$.list[*].at'], tolerance: { '$.list[*].v': 0.001 } })).toEqual([]);
    expect(compare(legacy, other, { unordered: ['$.items[*].tags', '$.list'], ignore: ['$.list[*].at'], tolerance: { '$.list[*].v': 0.0001 } })).toEqual([
      { path: '$.list[0]', kind: 'extra' },
      { path: '$.list[1]', kind: 'missing' },
    ]);
  });
});

describe('keyedArrays', () => {
  const legacy = { items: [{ id: 1, price: 10 }, { id: 2, price: 20 }, { id: 3, price: 30 }] };

  it('pairs elements by key, so a removed element does not shift the rest', () => {
    const other = { items: [{ id: 1, price: 10 }, { id: 3, price: 31 }] };
    expect(compare(legacy, other, { keyedArrays: { '$.items': 'id' } })).toEqual([
      { path: '$.items[1]', kind: 'missing' },
      { path: '$.items[2].price', kind: 'changed' },
    ]);
  });

  it('reports new keys as extra at the service index', () => {
    const other = { items: [{ id: 1, price: 10 }, { id: 2, price: 20 }, { id: 4, price: 40 }, { id: 3, price: 30 }] };
    expect(compare(legacy, other, { keyedArrays: { '$.items': 'id' } })).toEqual([{ path: '$.items[2]', kind: 'extra' }]);
  });

  it('reports pairs in another order as one order difference, unless the array is also unordered', () => {
    const other = { items: [{ id: 3, price: 30 }, { id: 1, price: 11 }, { id: 2, price: 20 }] };
    expect(compare(legacy, other, { keyedArrays: { '$.items': 'id' } })).toEqual([
      { path: '$.items', kind: 'order' },
      { path: '$.items[0].price', kind: 'changed' },
    ]);
    expect(compare(legacy, other, { keyedArrays: { '$.items': 'id' }, unordered: ['$.items'] })).toEqual([{ path: '$.items[0].price', kind: 'changed' }]);
  });

  it('matches keys by value (1.0 is 1) but not across types ("1" is not 1)', () => {
    expect(compare({ items: [{ id: 1, v: 'a' }] }, '{"items":[{"id":1.0,"v":"a"}]}', { keyedArrays: { '$.items': 'id' } })).toEqual([]);
    expect(compare({ items: [{ id: 1, v: 'a' }] }, { items: [{ id: '1', v: 'a' }] }, { keyedArrays: { '$.items': 'id' } })).toEqual([
      { path: '$.items[0]', kind: 'extra' },
      { path: '$.items[0]', kind: 'missing' },
    ]);
  });

  it('pairs repeated keys in turn, and elements without the key by their whole value', () => {
    const l = { items: [{ id: 1, n: 'a' }, { id: 1, n: 'b' }, 'loose', { other: true }] };
    const o = { items: [{ id: 1, n: 'a' }, { id: 1, n: 'c' }, 'loose', { other: false }] };
    expect(compare(l, o, { keyedArrays: { '$.items': 'id' } })).toEqual([
      { path: '$.items[1].n', kind: 'changed' },
      { path: '$.items[3]', kind: 'extra' },
      { path: '$.items[3]', kind: 'missing' },
    ]);
  });

  it('works at nested paths and together with ignore', () => {
    const l = { orders: [{ lines: [{ sku: 'a', qty: 1, at: 1 }, { sku: 'b', qty: 2, at: 1 }] }] };
    const o = { orders: [{ lines: [{ sku: 'b', qty: 2, at: 2 }, { sku: 'a', qty: 1, at: 2 }] }] };
    expect(compare(l, o, { keyedArrays: { '$.orders[*].lines': 'sku' }, unordered: ['$.orders[*].lines'], ignore: ['$..at'] })).toEqual([]);
  });
});

describe('tolerance', () => {
  it('accepts numbers within the tolerance, boundary included, and reports beyond it', () => {
    expect(compare({ price: 10 }, { price: 10.001 }, { tolerance: { '$.price': 0.001 } })).toEqual([]);
    expect(compare({ price: 0.1 }, { price: 0.101 }, { tolerance: { '$.price': 0.001 } })).toEqual([]);
    expect(compare({ price: 10 }, { price: 9.9985 }, { tolerance: { '$.price': 0.001 } })).toEqual([{ path: '$.price', kind: 'changed' }]);
    expect(compare({ price: 10 }, { price: 10.001 })).toEqual([{ path: '$.price', kind: 'changed' }]);
  });

  it('applies only at the paths it names', () => {
    expect(compare({ price: 10, cost: 10 }, { price: 10.0005, cost: 10.0005 }, { tolerance: { '$.price': 0.001 } })).toEqual([{ path: '$.cost', kind: 'changed' }]);
    expect(compare({ items: [{ price: 1 }, { price: 2 }] }, { items: [{ price: 1.01 }, { price: 2.02 }] }, { tolerance: { '$.items[*].price': 0.05 } })).toEqual([]);
    expect(compare({ a: { price: 1 }, b: [{ price: 2 }] }, { a: { price: 1.01 }, b: [{ price: 2.01 }] }, { tolerance: { '$..price': 0.05 } })).toEqual([]);
  });

  it('does not turn a type change into a number comparison', () => {
    expect(compare({ price: 10 }, { price: '10' }, { tolerance: { '$.price': 1 } })).toEqual([{ path: '$.price', kind: 'type' }]);
  });

  it('works on numbers past double precision, by value', () => {
    expect(compare('{"t":12345678901234567890}', '{"t":12345678901234567891}', { tolerance: { '$.t': 10000 } })).toEqual([]);
  });

  it('a zero tolerance is exact', () => {
    expect(compare({ a: 1 }, { a: 1.0000001 }, { tolerance: { '$.a': 0 } })).toEqual([{ path: '$.a', kind: 'changed' }]);
    expect(compare({ a: 1 }, { a: 1.0 }, { tolerance: { '$.a': 0 } })).toEqual([]);
  });
});

describe('the issue example, end to end', () => {
  const routeRules = {
    ignore: ['$.meta.generatedAt', '$.items[*].updatedAt', 'header:x-trace'],
    unordered: ['$.tags'],
    keyedArrays: { '$.items': 'id' },
    tolerance: { '$.price': 0.001 },
  };

  it('matches answers that differ only where the rules allow', () => {
    const legacy = res({ meta: { generatedAt: 1 }, tags: ['a', 'b'], price: 9.999, items: [{ id: 1, updatedAt: 'x', n: 1 }, { id: 2, updatedAt: 'x', n: 2 }] }, ['X-Trace', 'abc']);
    const other = res({ price: 10, tags: ['b', 'a'], items: [{ id: 1, updatedAt: 'y', n: 1 }, { id: 2, updatedAt: 'z', n: 2 }], meta: { generatedAt: 2 } }, ['X-Trace', 'def']);
    expect(compareResponses(legacy, other, rules(routeRules))).toEqual({ outcome: 'match', differences: [] });
  });

  it('still reports what the rules do not cover', () => {
    const legacy = res({ meta: { generatedAt: 1, v: 1 }, tags: ['a'], price: 9.99, items: [{ id: 1, n: 1 }, { id: 2, n: 2 }] });
    const other = res({ meta: { generatedAt: 2, v: 2 }, tags: ['a', 'c'], price: 10, items: [{ id: 2, n: 2 }, { id: 1, n: 5 }] });
    expect(compareResponses(legacy, other, rules(routeRules)).differences).toEqual([
      { path: '$.items', kind: 'order' },
      { path: '$.items[0].n', kind: 'changed' },
      { path: '$.meta.v', kind: 'changed' },
      { path: '$.price', kind: 'changed' },
      { path: '$.tags[1]', kind: 'extra' },
    ]);
  });
});
