import { parsePattern, patternTemplate, type PatternSegment } from './path-pattern.js';
import { otherReadings } from './path-readings.js';
import { normaliseHost, type RequestView } from './request-view.js';
import type { Mode, RouteSpec, RuleFile } from './schema.js';

/**
 * The rule table compiled to a segment trie. Lookup cost grows with the
 * depth of the path, not with the number of routes.
 *
 * Precedence, deterministic and documented in the README:
 *   1. segment by segment from the left, a literal beats `{param}`, which beats `**`;
 *   2. among routes with the same pattern, more conditions beat fewer
 *      (methods, host, and each header, query and cookie value count one);
 *   3. then file order.
 * A route whose pattern matches but whose conditions do not is passed over
 * and the search goes on to the next candidate in that order.
 */

export interface CompiledRoute {
  readonly spec: RouteSpec;
  readonly name: string;
  readonly mode: Mode;
  readonly index: number;
  readonly template: string;
  readonly conditions: number;
  readonly methods: ReadonlySet<string> | null;
  readonly host: string | null;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly cookies: ReadonlyArray<readonly [string, string]>;
  /** Positions of `{param}` segments and their names. */
  readonly params: ReadonlyArray<readonly [number, string]>;
}

export interface MatchResult {
  route: CompiledRoute;
  params: Record<string, string>;
}

export interface Candidate {
  route: string;
  pattern: string;
  /** Empty when the route matched; otherwise the condition that failed. */
  failed: string;
}

interface TrieNode {
  literal: Map<string, TrieNode>;
  param: TrieNode | null;
  /** Routes that end here. */
  exact: CompiledRoute[];
  /** Routes with `**` here: they take this node and everything under it. */
  rest: CompiledRoute[];
}

const newNode = (): TrieNode => ({ literal: new Map(), param: null, exact: [], rest: [] });

/** Another reading of the request's path that lands somewhere else than the proxy's own. */
export interface Misreading {
  /** How the path was read: `with case ignored`, `with its dot segments left as they are`… */
  how: string;
  /** The route that reading picks; null for none (legacy). */
  route: string | null;
}

export interface RouteTable {
  readonly rules: RuleFile;
  readonly routes: readonly CompiledRoute[];
  match(req: RequestView): MatchResult | null;
  /**
   * Whether a server behind the proxy could read the request's path as
   * another destination than `matched` (what `match` returned): see
   * path-readings.ts, plus case, which Express and IIS ignore.
   */
  misreading(req: RequestView, matched: MatchResult | null): Misreading | null;
  /** The same search, recording each candidate whose pattern fitted and why it was or was not taken. */
  explain(req: RequestView): { result: MatchResult | null; candidates: Candidate[] };
  byName(name: string): CompiledRoute | undefined;
}

function compileRoute(spec: RouteSpec, index: number, segments: PatternSegment[]): CompiledRoute {
  const m = spec.match;
  const lower = (o: Record<string, string> | undefined) =>
    Object.entries(o ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
  const entries = (o: Record<string, string> | undefined) => Object.entries(o ?? {}).map(([k, v]) => [k, v] as const);
  const headers = lower(m.headers);
  const query = entries(m.query);
  const cookies = entries(m.cookies);
  const params: Array<readonly [number, string]> = [];
  segments.forEach((s, i) => {
    if (s.kind === 'param') params.push([i, s.name]);
  });
  return {
    spec,
    name: spec.name,
    mode: spec.mode,
    index,
    template: patternTemplate(segments),
    conditions: (m.methods ? 1 : 0) + (m.host ? 1 : 0) + headers.length + query.length + cookies.length,
    methods: m.methods ? new Set(m.methods.map((x) => x.toUpperCase())) : null,
    host: m.host ? normaliseHost(m.host) : null,
    headers,
    query,
    cookies,
    params,
  };
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** The first condition of `route` that `req` fails, or '' when all hold. */
function failedCondition(route: CompiledRoute, req: RequestView): string {
  if (route.methods && !route.methods.has(req.method)) return `method ${req.method} not in [${[...route.methods].join(', ')}]`;
  if (route.host && !hostMatches(route.host, req.host)) return `host "${req.host}" is not "${route.host}"`;
  for (const [name, value] of route.headers) {
    if (req.header(name) !== value) return `header ${name} is not "${value}"`;
  }
  for (const [name, value] of route.query) {
    if (!req.query(name).includes(value)) return `query ${name} is not "${value}"`;
  }
  for (const [name, value] of route.cookies) {
    if (req.cookie(name) !== value) return `cookie ${name} is not "${value}"`;
  }
  return '';
}

function byPrecedence(a: CompiledRoute, b: CompiledRoute): number {
  return b.conditions - a.conditions || a.index - b.index;
}

/**
 * Where a request ends up, for comparing readings: legacy answers for no
 * route, a legacy route and a shadow route alike; a canary route splits by
 * its own name; service and retired routes go to their service.
 */
function destination(route: CompiledRoute | null): string {
  if (!route || route.mode === 'legacy' || route.mode === 'shadow') return 'legacy';
  if (route.mode === 'canary') return `canary:${route.name}`;
  return `${route.mode}:${route.spec.service ?? ''}`;
}

/** A trie of the routes; `fold` lower-cases the literals, for the case-insensitive reading. */
function buildTrie(routes: readonly CompiledRoute[], patterns: readonly PatternSegment[][], fold: boolean): TrieNode {
  const root = newNode();
  routes.forEach((route, i) => {
    let node = root;
    for (const seg of patterns[i]!) {
      if (seg.kind === 'rest') {
        node.rest.push(route);
        return;
      }
      if (seg.kind === 'param') node = node.param ??= newNode();
      else {
        const value = fold ? seg.value.toLowerCase() : seg.value;
        let next = node.literal.get(value);
        if (!next) node.literal.set(value, (next = newNode()));
        node = next;
      }
    }
    node.exact.push(route);
  });
  const sortAll = (node: TrieNode): void => {
    node.exact.sort(byPrecedence);
    node.rest.sort(byPrecedence);
    for (const child of node.literal.values()) sortAll(child);
    if (node.param) sortAll(node.param);
  };
  sortAll(root);
  return root;
}

export function compileTable(rules: RuleFile): RouteTable {
  const routes: CompiledRoute[] = [];
  const patterns: PatternSegment[][] = [];
  const names = new Map<string, CompiledRoute>();
  /** Literal segments as written, and lower-cased: a request segment in the second set but not the first reads differently without case. */
  const literals = new Set<string>();
  const foldedLiterals = new Set<string>();

  rules.routes.forEach((spec, index) => {
    const parsed = parsePattern(spec.match.path);
    // The schema has already refused bad patterns; this guards direct callers.
    if (!parsed.ok) throw new Error(`routes[${index}].match.path: ${parsed.message}`);
    const route = compileRoute(spec, index, parsed.segments);
    routes.push(route);
    patterns.push(parsed.segments);
    names.set(route.name, route);
    for (const seg of parsed.segments) {
      if (seg.kind !== 'literal') continue;
      literals.add(seg.value);
      foldedLiterals.add(seg.value.toLowerCase());
    }
  });
  const root = buildTrie(routes, patterns, false);
  // Only needed for requests whose case is off from a route's literal: built the first time one comes.
  let foldedRoot: TrieNode | null = null;
  const caseMatters = (segs: readonly string[]): boolean => {
    for (const seg of segs) {
      const lower = seg.toLowerCase();
      if (foldedLiterals.has(lower) && !literals.has(seg)) return true;
    }
    return false;
  };

  const pick = (list: CompiledRoute[], req: RequestView, trace: Candidate[] | null): CompiledRoute | null => {
    for (const route of list) {
      const failed = failedCondition(route, req);
      if (trace) trace.push({ route: route.name, pattern: route.spec.match.path, failed });
      if (!failed) return route;
    }
    return null;
  };

  const search = (node: TrieNode, segs: string[], i: number, req: RequestView, trace: Candidate[] | null): CompiledRoute | null => {
    if (i === segs.length) {
      if (node.exact.length) {
        const hit = pick(node.exact, req, trace);
        if (hit) return hit;
      }
    } else {
      const lit = node.literal.get(segs[i]!);
      if (lit) {
        const hit = search(lit, segs, i + 1, req, trace);
        if (hit) return hit;
      }
      if (node.param) {
        const hit = search(node.param, segs, i + 1, req, trace);
        if (hit) return hit;
      }
    }
    return node.rest.length ? pick(node.rest, req, trace) : null;
  };

  const result = (route: CompiledRoute | null, req: RequestView): MatchResult | null => {
    if (!route) return null;
    const params: Record<string, string> = {};
    for (const [pos, name] of route.params) params[name] = req.segments[pos]!;
    return { route, params };
  };

  const misreadingOf = (req: RequestView, segs: string[], how: string | null, want: string): Misreading | null => {
    if (how !== null) {
      const other = search(root, segs, 0, req, null);
      if (destination(other) !== want) return { how, route: other?.name ?? null };
    }
    if (caseMatters(segs)) {
      foldedRoot ??= buildTrie(routes, patterns, true);
      const other = search(foldedRoot, segs.map((x) => x.toLowerCase()), 0, req, null);
      if (destination(other) !== want) return { how: how === null ? 'with case ignored' : `${how}, and case ignored`, route: other?.name ?? null };
    }
    return null;
  };

  return {
    rules,
    routes,
    match: (req) => result(search(root, req.segments, 0, req, null), req),
    misreading: (req, matched) => {
      const want = destination(matched?.route ?? null);
      const asIs = misreadingOf(req, req.segments, null, want);
      if (asIs) return asIs;
      for (const reading of otherReadings(req.rawPath)) {
        const other = misreadingOf(req, reading.segments, reading.how, want);
        if (other) return other;
      }
      return null;
    },
    explain: (req) => {
      const candidates: Candidate[] = [];
      return { result: result(search(root, req.segments, 0, req, candidates), req), candidates };
    },
    byName: (name) => names.get(name),
  };
}
