/**
 * The rule file most stack tests start from, written in one place: legacy,
 * the ledger in the stack's temp folder, the admin token, the services the
 * stack started, then the routes each test cares about.
 *
 *   rules: (u) => ruleYaml(u, { token: TOKEN, routes: [shadowRoute('orders', { noisePercent: 100 }), legacyRoute('plain', '/plain/**')] })
 *
 * Fits both `startShadowStack` and `startLedgerStack`: their URL records
 * both carry `legacy` and `services`.
 */

export interface RuleUrls {
  legacy: string;
  services: Record<string, string>;
}

export interface RuleYamlOptions {
  /** admin.token; the stack's `token` must be the same. */
  token: string;
  /** One YAML list entry each (`shadowRoute`, `legacyRoute`, or literal text indented as a list item under `routes:`). */
  routes: string[];
  /** By name; every service the stack started unless given (a test adds, say, a refused URL). */
  services?: Record<string, string>;
  /** The file's top-level guard, when a test sets one for all routes. */
  guard?: Record<string, unknown>;
}

export function ruleYaml(u: RuleUrls, o: RuleYamlOptions): string {
  const services = Object.entries(o.services ?? u.services).map(([name, url]) => `  ${name}: ${url}`);
  return [
    `legacy: ${u.legacy}`,
    // Relative to the rule file: the ledger lives and dies with the stack's temp folder.
    'database: ./strangler.db',
    'admin:',
    `  token: ${o.token}`,
    ...(o.guard ? [`guard: ${flow(o.guard)}`] : []),
    ...(services.length ? ['services:', ...services] : []),
    ...(o.routes.length ? ['routes:', ...o.routes] : ['routes: []']),
    '',
  ].join('\n');
}

export interface ShadowRouteOptions {
  /** The service that gets the copies; `shop` unless given. */
  service?: string;
  /** The methods the match names; `[GET]` unless given, `null` to match on the path alone. */
  methods?: string[] | null;
  /** The route's own promotion guard. */
  guard?: Record<string, unknown>;
  /** Share of requests that also get a legacy-vs-legacy noise call; 0 unless given. */
  noisePercent?: number;
  /** More shadow settings (compare, unsafe, timeoutMs, …); a key given here wins over the defaults. */
  shadow?: Record<string, unknown>;
}

/**
 * A route that shadows `/${name}/{id}` to a service. The budget is high enough
 * never to drop a test's copies, so what a test counts is what it sent.
 */
export function shadowRoute(name: string, o: ShadowRouteOptions = {}): string {
  const methods = o.methods === undefined ? ['GET'] : o.methods;
  const match = methods ? { path: `/${name}/{id}`, methods } : { path: `/${name}/{id}` };
  return [
    `  - name: ${name}`,
    `    match: ${flow(match)}`,
    '    mode: shadow',
    `    service: ${o.service ?? 'shop'}`,
    ...(o.guard ? [`    guard: ${flow(o.guard)}`] : []),
    `    shadow: ${flow({ noisePercent: o.noisePercent ?? 0, maxPerSecond: 100000, ...o.shadow })}`,
  ].join('\n');
}

/** A route that keeps `path` on legacy, so its traffic shows as a legacy endpoint. */
export function legacyRoute(name: string, path: string): string {
  return [`  - name: ${name}`, `    match: ${flow({ path })}`, '    mode: legacy'].join('\n');
}

/** A value as a one-line YAML flow; strings quoted, so none is read as a number, boolean or null. */
function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${flow(x)}`).join(', ')} }`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
