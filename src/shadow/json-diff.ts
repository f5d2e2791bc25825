import { NO_JSON_RULES, type JsonRules } from './compare-rules.js';
import { formatPath, type PathStep } from './json-path.js';
import { isJsonObject, jsonType, LongNumber, numberValue, type JsonValue } from './json-value.js';
import type { Difference, DiffKind } from './types.js';

/**
 * Two JSON documents compared by meaning, seen from legacy's side.
 *
 * - objects: member order never matters; a member only legacy has is
 *   `missing`, one only the other side has is `extra`;
 * - a value of another JSON type is `type`; the same type with another value
 *   is `changed` (numbers by value, strings after unescaping, which parsing
 *   already did);
 * - arrays, by default, in order: the same elements in another order is one
 *   `order` at the array; another length is one `length` at the array, and
 *   the elements that still line up (after the common head and tail) are
 *   compared one by one;
 * - `unordered` arrays are multisets: each element with no equal partner is
 *   `missing` or `extra`, by its own index;
 * - `keyedArrays` pair elements by a key member: unpaired ones are `missing`
 *   or `extra`, pairs are compared member by member (at legacy's index), and
 *   pairs in another relative order add one `order`, unless the array is
 *   also `unordered`.
 */

interface Walk {
  rules: JsonRules;
  /** Null when only asking "equal or not": the walk stops at the first difference. */
  out: Difference[] | null;
  differs: boolean;
}

function report(w: Walk, path: PathStep[], kind: DiffKind): void {
  w.differs = true;
  w.out?.push({ path: formatPath(path), kind });
}

const stop = (w: Walk) => w.out === null && w.differs;

export function jsonDifferences(legacy: JsonValue, other: JsonValue, rules: JsonRules = NO_JSON_RULES): Difference[] {
  const w: Walk = { rules, out: [], differs: false };
  diffValue(w, legacy, other, []);
  return w.out!;
}

export function jsonEqual(legacy: JsonValue, other: JsonValue, rules: JsonRules = NO_JSON_RULES, path: PathStep[] = []): boolean {
  const w: Walk = { rules, out: null, differs: false };
  diffValue(w, legacy, other, path);
  return !w.differs;
}

function diffValue(w: Walk, a: JsonValue, b: JsonValue, path: PathStep[]): void {
  if (!w.rules.none && w.rules.ignored(path)) return;
  diffUnchecked(w, a, b, path);
}

function diffUnchecked(w: Walk, a: JsonValue, b: JsonValue, path: PathStep[]): void {
  // Equal primitives are most of any document; within a tolerance or not, they are equal.
  if (a === b) return;
  const type = jsonType(a);
  if (type !== jsonType(b)) return report(w, path, 'type');
  switch (type) {
    case 'object':
      return diffObject(w, a as Record<string, JsonValue>, b as Record<string, JsonValue>, path);
    case 'array':
      return diffArray(w, a as JsonValue[], b as JsonValue[], path);
    case 'number':
      if (!numbersEqual(w.rules, a as number | LongNumber, b as number | LongNumber, path)) report(w, path, 'changed');
      return;
    default:
      if (a !== b) report(w, path, 'changed');
  }
}

function numbersEqual(rules: JsonRules, a: number | LongNumber, b: number | LongNumber, path: PathStep[]): boolean {
  const tolerance = rules.hasTolerance ? rules.toleranceAt(path) : undefined;
  if (tolerance !== undefined) {
    const x = numberValue(a);
    const y = numberValue(b);
    // A few ulps of slack: 0.101 − 0.1 is 0.0010000000000000009 in doubles, and must pass a tolerance of 0.001.
    return x === y || Math.abs(x - y) <= tolerance + 4 * Number.EPSILON * Math.max(Math.abs(x), Math.abs(y));
  }
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  // Only numerals of 16+ significant digits are LongNumbers, so one never equals a double.
  return a instanceof LongNumber && b instanceof LongNumber && a.canonical === b.canonical;
}

function diffObject(w: Walk, a: Record<string, JsonValue>, b: Record<string, JsonValue>, path: PathStep[]): void {
  const rules = w.rules;
  for (const name of Object.keys(a)) {
    path.push(name);
    if (rules.none || !rules.ignored(path)) {
      if (!Object.hasOwn(b, name)) report(w, path, 'missing');
      else diffUnchecked(w, a[name]!, b[name]!, path);
    }
    path.pop();
    if (stop(w)) return;
  }
  for (const name of Object.keys(b)) {
    if (Object.hasOwn(a, name)) continue;
    path.push(name);
    if (rules.none || !rules.ignored(path)) report(w, path, 'extra');
    path.pop();
    if (stop(w)) return;
  }
}

function diffArray(w: Walk, a: JsonValue[], b: JsonValue[], path: PathStep[]): void {
  const rules = w.rules;
  const key = rules.none ? undefined : rules.keyAt(path);
  const unordered = !rules.none && rules.unordered(path);
  if (key !== undefined) return diffKeyed(w, a, b, path, key, unordered);
  if (unordered) {
    const { onlyA, onlyB } = pairUp(rules, a, b, path);
    reportElements(w, path, onlyA, 'missing');
    reportElements(w, path, onlyB, 'extra');
    return;
  }
  diffOrdered(w, a, b, path);
}

function reportElements(w: Walk, path: PathStep[], indices: number[], kind: 'missing' | 'extra'): void {
  for (const i of indices) {
    path.push(i);
    if (w.rules.none || !w.rules.ignored(path)) report(w, path, kind);
    path.pop();
    if (stop(w)) return;
  }
}

function diffOrdered(w: Walk, a: JsonValue[], b: JsonValue[], path: PathStep[]): void {
  if (a.length === b.length) {
    // Element by element first; only the elements that differ need asking whether they are the others reordered.
    const sub: Walk = { rules: w.rules, out: w.out === null ? null : [], differs: false };
    const differing: number[] = [];
    for (let i = 0; i < a.length; i++) {
      sub.differs = false;
      path.push(i);
      diffValue(sub, a[i]!, b[i]!, path);
      path.pop();
      if (!sub.differs) continue;
      differing.push(i);
      if (w.out === null) break;
    }
    if (differing.length === 0) return;
    if (w.out === null) {
      w.differs = true;
      return;
    }
    if (sameMultiset(w.rules, a, b, path, differing)) return report(w, path, 'order');
    w.differs = true;
    for (const d of sub.out!) w.out.push(d);
    return;
  }

  report(w, path, 'length');
  if (w.out === null) return;
  // Skip what still lines up at the head and the tail, so one element inserted
  // or removed in the middle is not read as every later element changed.
  const shorter = Math.min(a.length, b.length);
  let head = 0;
  while (head < shorter && elementsEqual(w.rules, a, b, head, head, path)) head++;
  let tail = 0;
  while (tail < shorter - head && elementsEqual(w.rules, a, b, a.length - 1 - tail, b.length - 1 - tail, path)) tail++;
  const overlap = shorter - head - tail;
  for (let t = 0; t < overlap; t++) {
    path.push(head + t);
    diffValue(w, a[head + t]!, b[head + t]!, path);
    path.pop();
  }
}

/**
 * Are the elements at these positions of `a` the elements at the same
 * positions of `b`, reordered? Positions that agree cancel out, so this is
 * the whole arrays' question. Most arrays that differ were not reordered:
 * one element without a partner, found by cheap early-exit comparisons,
 * settles it before any element is keyed.
 */
function sameMultiset(rules: JsonRules, a: JsonValue[], b: JsonValue[], path: PathStep[], positions: number[]): boolean {
  if (positions.length < 2) return false;
  for (const i of [positions[0]!, positions[positions.length - 1]!]) {
    path.push(i);
    const paired = positions.some((j) => jsonEqual(a[i]!, b[j]!, rules, path));
    path.pop();
    if (!paired) return false;
  }
  const { onlyA, onlyB } = pairUp(rules, a, b, path, positions);
  return onlyA.length === 0 && onlyB.length === 0;
}

function elementsEqual(rules: JsonRules, a: JsonValue[], b: JsonValue[], i: number, j: number, path: PathStep[]): boolean {
  path.push(i);
  const equal = jsonEqual(a[i]!, b[j]!, rules, path);
  path.pop();
  return equal;
}

function diffKeyed(w: Walk, a: JsonValue[], b: JsonValue[], path: PathStep[], key: string, unordered: boolean): void {
  // Elements without the key member are paired by their whole value instead.
  const idOf = (el: JsonValue, i: number): string => {
    if (isJsonObject(el) && Object.hasOwn(el, key)) return 'k' + valueKey(NO_JSON_RULES, el[key]!, []);
    path.push(i);
    const k = 'v' + valueKey(w.rules, el, path);
    path.pop();
    return k;
  };
  const byId = new Map<string, number[]>();
  b.forEach((el, j) => {
    const id = idOf(el, j);
    const list = byId.get(id);
    if (list) list.push(j);
    else byId.set(id, [j]);
  });
  const pairs: Array<[number, number]> = [];
  const onlyA: number[] = [];
  a.forEach((el, i) => {
    const j = byId.get(idOf(el, i))?.shift();
    if (j === undefined) onlyA.push(i);
    else pairs.push([i, j]);
  });
  const onlyB = [...byId.values()].flat().sort((x, y) => x - y);

  reportElements(w, path, onlyA, 'missing');
  reportElements(w, path, onlyB, 'extra');
  for (const [i, j] of pairs) {
    if (stop(w)) return;
    path.push(i);
    diffValue(w, a[i]!, b[j]!, path);
    path.pop();
  }
  if (!unordered && pairs.some(([, j], n) => n > 0 && j < pairs[n - 1]![1])) report(w, path, 'order');
}

/**
 * Multiset pairing: each legacy element with an equal other element, under
 * the rules; what is left on either side. `only` limits both sides to those
 * positions.
 */
function pairUp(rules: JsonRules, a: JsonValue[], b: JsonValue[], path: PathStep[], only?: number[]): { onlyA: number[]; onlyB: number[] } {
  const positions = (n: number) => only ?? Array.from({ length: n }, (_, i) => i);
  const buckets = new Map<string, number[]>();
  for (const j of positions(b.length)) {
    path.push(j);
    const k = valueKey(rules, b[j]!, path);
    path.pop();
    const list = buckets.get(k);
    if (list) list.push(j);
    else buckets.set(k, [j]);
  }
  const onlyA: number[] = [];
  for (const i of positions(a.length)) {
    const el = a[i]!;
    path.push(i);
    const list = buckets.get(valueKey(rules, el, path));
    // Keys blank out numbers under a tolerance, so within a bucket equality is still checked.
    const at = !list ? -1 : rules.hasTolerance ? list.findIndex((j) => jsonEqual(el, b[j]!, rules, path)) : list.length > 0 ? 0 : -1;
    path.pop();
    if (at < 0) onlyA.push(i);
    else list!.splice(at, 1);
  }
  return { onlyA, onlyB: [...buckets.values()].flat().sort((x, y) => x - y) };
}

/**
 * A string equal for values the rules call equal: members sorted, ignored
 * paths left out, unordered arrays sorted, numbers under a tolerance blanked.
 */
function valueKey(rules: JsonRules, v: JsonValue, path: PathStep[]): string {
  if (!rules.none && rules.ignored(path)) return '~';
  if (v === null) return 'n';
  if (v === true) return 't';
  if (v === false) return 'f';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || v instanceof LongNumber) {
    if (rules.hasTolerance && rules.toleranceAt(path) !== undefined) return '#~';
    return typeof v === 'number' ? `#${v}` : `#L${v.canonical}`;
  }
  if (Array.isArray(v)) {
    const parts = v.map((el, i) => {
      path.push(i);
      const k = valueKey(rules, el, path);
      path.pop();
      return k;
    });
    if (!rules.none && rules.unordered(path)) parts.sort();
    return `[${parts.join(',')}]`;
  }
  const parts: string[] = [];
  for (const name of Object.keys(v).sort()) {
    path.push(name);
    if (rules.none || !rules.ignored(path)) parts.push(`${JSON.stringify(name)}:${valueKey(rules, v[name]!, path)}`);
    path.pop();
  }
  return `{${parts.join(',')}}`;
}
