import { describe, expect, it } from 'vitest';
import { compareResponses } from '../src/shadow/compare.js';
import { MORE_DIFFERENCES, tidyDifferences } from '../src/shadow/difference-list.js';
import { jsonDifferences, jsonEqual } from '../src/shadow/json-diff.js';
import { canonicalNumeral, LongNumber, parseJson, stringifyJson, type JsonValue } from '../src/shadow/json-value.js';
import type { CapturedResponse, Difference } from '../src/shadow/types.js';

/** Parses JSON text as the comparison does; fails the test on bad input. */
function parse(text: string): JsonValue {
  const r = parseJson(text);
  if (!r.ok) throw new Error(`test JSON does not parse: ${r.error}`);
  return r.value;
}

const diff = (legacy: string, other: string) => jsonDifferences(parse(legacy), parse(other));

function res(body: string, headers: string[] = ['Content-Type', 'application/json']): CapturedResponse {
  return { status: 200, headers, body: Buffer.from(body), truncated: false };
}

const compare = (legacy: string, other: string) => compareResponses(res(legacy), res(other));

describe('JSON equivalences that are not differences', () => {
  it('ignores member order, at every depth', () => {
    expect(compare('{"a":1,"b":{"x":[1,{"p":1,"q":2}],"y":null}}', '{"b":{"y":null,"x":[1,{"q":2,"p":1}]},"a":1}')).toEqual({ outcome: 'match', differences: [] });
  });

  it('compares numbers by value: 1.0 is 1, 1e2 is 100, -0 is 0, 0.10 is 0.1', () => {
    expect(diff('{"a":1.0,"b":1e2,"c":-0,"d":0.10,"e":1E+2,"f":2.50}', '{"a":1,"b":100,"c":0,"d":0.1,"e":100,"f":2.5}')).toEqual([]);
    expect(compare('{"price":1.0}', '{"price":1}').outcome).toBe('match');
  });

  it('compares strings after unescaping: \\u00e9 is é, \\/ is /, surrogate pairs are the character', () => {
    expect(compare('{"name":"caf\\u00e9","url":"a\\/b","smile":"\\ud83d\\ude00"}', '{"name":"café","url":"a/b","smile":"😀"}').outcome).toBe('match');
    expect(compare('{"caf\\u00e9":1}', '{"café":1}').outcome).toBe('match');
  });

  it('ignores insignificant white space', () => {
    expect(compare('{ "a" : [ 1 , 2 ] }\n', '{"a":[1,2]}').outcome).toBe('match');
  });

  it('treats a member named __proto__ as data, as JSON.parse does', () => {
    expect(diff('{"__proto__":{"x":1}}', '{"__proto__":{"x":1}}')).toEqual([]);
    expect(diff('{"__proto__":{"x":1}}', '{"__proto__":{"x":2}}')).toEqual([{ path: '$.__proto__.x', kind: 'changed' }]);
    // Through the exact parser too (a 16-digit run forces it).
    expect(diff('{"__proto__":1,"n":1234567890123456789}', '{"__proto__":2,"n":1234567890123456789}')).toEqual([{ path: '$.__proto__', kind: 'changed' }]);
  });
});

describe('every kind of JSON difference, seen from legacy', () => {
  it('changed: same type, another value', () => {
    expect(diff('{"s":"a","n":1,"b":true}', '{"s":"b","n":2,"b":false}')).toEqual([
      { path: '$.s', kind: 'changed' },
      { path: '$.n', kind: 'changed' },
      { path: '$.b', kind: 'changed' },
    ]);
  });

  it('type: another JSON type, including null and array against object', () => {
    expect(diff('{"a":1,"b":"1","c":null,"d":[],"e":{},"f":true}', '{"a":"1","b":1,"c":{},"d":{},"e":[],"f":"true"}')).toEqual([
      { path: '$.a', kind: 'type' },
      { path: '$.b', kind: 'type' },
      { path: '$.c', kind: 'type' },
      { path: '$.d', kind: 'type' },
      { path: '$.e', kind: 'type' },
      { path: '$.f', kind: 'type' },
    ]);
    expect(diff('[1]', '{"0":1}')).toEqual([{ path: '$', kind: 'type' }]);
  });

  it('missing: legacy has the member, the service does not (null is a value, absent is not)', () => {
    expect(diff('{"a":1,"b":null,"c":{"d":1}}', '{"a":1}')).toEqual([
      { path: '$.b', kind: 'missing' },
      { path: '$.c', kind: 'missing' },
    ]);
  });

  it('extra: only the service has the member; the subtree below is not listed member by member', () => {
    expect(diff('{"a":1}', '{"a":1,"z":{"deep":{"er":1}}}')).toEqual([{ path: '$.z', kind: 'extra' }]);
  });

  it('order: the same elements in another order is one difference at the array, not changes at each index', () => {
    expect(diff('{"tags":["a","b","c"]}', '{"tags":["c","a","b"]}')).toEqual([{ path: '$.tags', kind: 'order' }]);
    expect(diff('[{"id":1},{"id":2}]', '[{"id":2},{"id":1}]')).toEqual([{ path: '$', kind: 'order' }]);
    // Equal elements in the same multiset are still one order, duplicates counted.
    expect(diff('[1,1,2]', '[1,2,1]')).toEqual([{ path: '$', kind: 'order' }]);
    // Two swapped in the middle, the rest in place.
    expect(diff('[1,2,3,4]', '[1,3,2,4]')).toEqual([{ path: '$', kind: 'order' }]);
    // The first differing element has a partner elsewhere, but the rest do not: not a reordering.
    expect(diff('[5,2,3,7]', '[5,3,9,7]')).toEqual([
      { path: '$[1]', kind: 'changed' },
      { path: '$[2]', kind: 'changed' },
    ]);
  });

  it('changed elements of an equal-length array are reported per index, not as order', () => {
    expect(diff('{"items":[{"price":1},{"price":2}]}', '{"items":[{"price":1},{"price":3}]}')).toEqual([{ path: '$.items[1].price', kind: 'changed' }]);
    expect(diff('[1,2,2]', '[2,1,1]')).toEqual([
      { path: '$[0]', kind: 'changed' },
      { path: '$[1]', kind: 'changed' },
      { path: '$[2]', kind: 'changed' },
    ]);
  });

  it('length: arrays of another length are one difference at the array', () => {
    expect(diff('{"items":[1,2,3]}', '{"items":[1,2]}')).toEqual([{ path: '$.items', kind: 'length' }]);
    expect(diff('{"items":[1,2]}', '{"items":[1,2,3,4]}')).toEqual([{ path: '$.items', kind: 'length' }]);
    expect(diff('[]', '[1]')).toEqual([{ path: '$', kind: 'length' }]);
  });

  it('an element removed in the middle does not read as every later element changed', () => {
    const legacy = '[{"id":1,"v":"a"},{"id":2,"v":"b"},{"id":3,"v":"c"},{"id":4,"v":"d"}]';
    expect(diff(legacy, '[{"id":1,"v":"a"},{"id":3,"v":"c"},{"id":4,"v":"d"}]')).toEqual([{ path: '$', kind: 'length' }]);
    expect(diff(legacy, '[{"id":1,"v":"a"},{"id":2,"v":"b"},{"id":9,"v":"x"},{"id":3,"v":"c"},{"id":4,"v":"d"}]')).toEqual([{ path: '$', kind: 'length' }]);
  });

  it('with another length, elements that still line up are compared one by one', () => {
    expect(diff('[{"p":1},{"p":2},{"p":3}]', '[{"p":1},{"p":20}]')).toEqual([
      { path: '$', kind: 'length' },
      { path: '$[1].p', kind: 'changed' },
    ]);
    // Head and tail agree; the middle both changed and shrank.
    expect(diff('[0,{"p":1},{"p":2},9]', '[0,{"p":5},9]')).toEqual([
      { path: '$', kind: 'length' },
      { path: '$[1].p', kind: 'changed' },
    ]);
  });

  it('reports every kind at once, paths like $.items[3].price', () => {
    const legacy = '{"items":[{"id":0},{"id":1},{"id":2},{"id":3,"price":10,"name":"x","tags":["a","b"]}],"total":4,"gone":1}';
    const other = '{"items":[{"id":0},{"id":1},{"id":2},{"id":3,"price":11,"name":1,"tags":["b","a"],"new":true}],"total":[4]}';
    expect(diff(legacy, other)).toEqual([
      { path: '$.items[3].price', kind: 'changed' },
      { path: '$.items[3].name', kind: 'type' },
      { path: '$.items[3].tags', kind: 'order' },
      { path: '$.items[3].new', kind: 'extra' },
      { path: '$.total', kind: 'type' },
      { path: '$.gone', kind: 'missing' },
    ]);
  });

  it('quotes member names that are not plain identifiers, so the path reads back', () => {
    expect(diff('{"a.b":1,"x y":1,"it\'s":1,"0":1,"":1,"*":1,"é":1}', '{"a.b":2,"x y":2,"it\'s":2,"0":2,"":2,"*":2,"é":2}').map((d) => d.path).sort()).toEqual(
      ["$['']", "$['*']", "$['0']", "$['a.b']", "$['it\\'s']", "$['x y']", "$['é']"].sort(),
    );
  });

  it('jsonEqual answers the same question without collecting', () => {
    expect(jsonEqual(parse('{"a":[1,{"b":2}]}'), parse('{"a":[1.0,{"b":2}]}'))).toBe(true);
    expect(jsonEqual(parse('{"a":[1,{"b":2}]}'), parse('{"a":[1,{"b":3}]}'))).toBe(false);
  });
});

describe('numbers past double precision', () => {
  it('tells apart 64-bit ids that doubles would round to the same value', () => {
    expect(JSON.parse('9007199254740993')).toBe(JSON.parse('9007199254740992'));
    expect(diff('{"id":9007199254740993}', '{"id":9007199254740992}')).toEqual([{ path: '$.id', kind: 'changed' }]);
    expect(diff('{"id":12345678901234567891}', '{"id":12345678901234567890}')).toEqual([{ path: '$.id', kind: 'changed' }]);
    // The classic: a JavaScript service rounding a Java long.
    expect(diff('{"id":1234567890123456789}', '{"id":1234567890123456800}')).toEqual([{ path: '$.id', kind: 'changed' }]);
  });

  it('still compares them by value', () => {
    expect(diff('[12345678901234567890, 1.2345678901234567890, 100000000000000000000]', '[1.234567890123456789e19, 1.234567890123456789, 1e20]')).toEqual([]);
    expect(diff('[0.00000000000000000001]', '[1e-20]')).toEqual([]);
  });

  it('keeps the numeral as written and knows its canonical form', () => {
    const v = parse('[12345678901234567890.50]') as JsonValue[];
    expect(v[0]).toBeInstanceOf(LongNumber);
    expect((v[0] as LongNumber).text).toBe('12345678901234567890.50');
    expect(stringifyJson(v)).toBe('[12345678901234567890.50]');
    expect(canonicalNumeral('-001.2300e2')).toEqual({ canonical: '-123e0', digits: 3 });
    expect(canonicalNumeral('0.000')).toEqual({ canonical: '0', digits: 1 });
  });

  it('is not fooled by long digit runs inside strings', () => {
    expect(diff('{"card":"1234567890123456789"}', '{"card":"1234567890123456789"}')).toEqual([]);
    expect(diff('{"card":"1234567890123456789"}', '{"card":"1234567890123456780"}')).toEqual([{ path: '$.card', kind: 'changed' }]);
    expect(diff('{"card":"1234567890123456789"}', '{"card":1234567890123456789}')).toEqual([{ path: '$.card', kind: 'type' }]);
  });

  it('the exact parser refuses what JSON.parse refuses and reads what it reads', () => {
    const long = '1234567890123456789';
    for (const bad of [`[${long},]`, `{"a":0${long}}`, `[${long}`, `${long} x`, `{"a" ${long}}`, `[${long}, 'x']`, `["\t${long}"]`, `[${long}, "\\x"]`, `[${long}.]`, `[-${long}e]`, `{${long}:1}`, '']) {
      expect(() => JSON.parse(bad), bad).toThrow();
      expect(parseJson(bad).ok, bad).toBe(false);
    }
    const good = `{"a":[${long},-${long}.5e-3,true,false,null,"x\\nA",{},[]],"b":{"c":"${long}"}}`;
    const exact = parse(good);
    const plain = JSON.parse(good) as unknown;
    expect(JSON.parse(stringifyJson(exact))).toEqual(plain);
    expect(stringifyJson(exact)).toBe(good);
  });

  it('refuses absurd nesting instead of exhausting the stack', () => {
    const deep = '['.repeat(5000) + '1234567890123456789' + ']'.repeat(5000);
    expect(parseJson(deep).ok).toBe(false);
  });
});

describe('the list of differences', () => {
  it('is sorted (status, headers, body, then paths with numeric indices), without repeats', () => {
    const list: Difference[] = [
      { path: '$.items[10].a', kind: 'changed' },
      { path: 'header:vary', kind: 'changed' },
      { path: '$.items[2].a', kind: 'changed' },
      { path: 'status', kind: 'changed' },
      { path: '$.items[2].a', kind: 'changed' },
      { path: 'body', kind: 'type' },
      { path: '$.items', kind: 'length' },
    ];
    expect(tidyDifferences(list)).toEqual([
      { path: 'status', kind: 'changed' },
      { path: 'header:vary', kind: 'changed' },
      { path: 'body', kind: 'type' },
      { path: '$.items', kind: 'length' },
      { path: '$.items[2].a', kind: 'changed' },
      { path: '$.items[10].a', kind: 'changed' },
    ]);
  });

  it('is capped at 200 entries, the last one a marker, keeping one of every group', () => {
    const n = 1000;
    const legacy = { items: Array.from({ length: n }, (_, i) => ({ price: i })), zzz: 1 };
    const other = { items: Array.from({ length: n }, (_, i) => ({ price: i + 1 })), zzz: 2 };
    const result = compareResponses(res(JSON.stringify(legacy)), res(JSON.stringify(other)));
    expect(result.outcome).toBe('differ');
    expect(result.differences).toHaveLength(200);
    expect(result.differences.at(-1)).toEqual(MORE_DIFFERENCES);
    expect(result.differences[0]).toEqual({ path: '$.items[0].price', kind: 'changed' });
    // $.zzz sorts after every item but still made it in.
    expect(result.differences).toContainEqual({ path: '$.zzz', kind: 'changed' });
    expect(tidyDifferences(result.differences.slice(0, 10), 5)).toHaveLength(5);
  });

  it('does not mark a list that fits', () => {
    const list = Array.from({ length: 200 }, (_, i): Difference => ({ path: `$[${i}]`, kind: 'changed' }));
    expect(tidyDifferences(list)).toHaveLength(200);
    expect(tidyDifferences(list).at(-1)).toEqual({ path: '$[199]', kind: 'changed' });
    expect(compareResponses(res('[1]'), res('[2]'), undefined, { maxDifferences: 1 }).differences).toEqual([{ path: '$[0]', kind: 'changed' }]);
  });
});
