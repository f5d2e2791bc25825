import { describe, it, expect } from 'vitest';
import { formatRuleError, formatRuleErrors, loadRuleText, type LoadResult, type RuleError } from '../src/rules/load.js';
import type { RuleFile } from '../src/rules/schema.js';

/** Line and column (1-based) of the first occurrence of `needle` in `text`, or of its `nth` occurrence. */
function at(text: string, needle: string, nth = 1): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset === -1) throw new Error(`"${needle}" not in the test text`);
  }
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function ok(result: LoadResult): RuleFile {
  if (!result.ok) throw new Error(`expected the file to load, got:\n${formatRuleErrors(result.errors)}`);
  return result.rules;
}

function errors(result: LoadResult): RuleError[] {
  if (result.ok) throw new Error('expected the file to be refused, but it loaded');
  return result.errors;
}

/** The file must be refused with exactly one error. */
function oneError(text: string, env: NodeJS.ProcessEnv = {}): RuleError {
  const errs = errors(loadRuleText(text, 'strangler.yaml', env));
  expect(errs, formatRuleErrors(errs)).toHaveLength(1);
  return errs[0]!;
}

const HEAD = `legacy: http://127.0.0.1:3000
services:
  orders: http://127.0.0.1:4001
  users: { url: http://127.0.0.1:4002, timeoutMs: 10000 }
`;

describe('a valid rule file', () => {
  const full = `listen: 127.0.0.1:8080            # data plane; --listen overrides
legacy: { url: http://127.0.0.1:3000, timeoutMs: 5000, hostHeader: keep, connections: 64 }
services:
  orders: http://127.0.0.1:4001
  users: { url: http://127.0.0.1:4002, timeoutMs: 10000, hostHeader: target }
forwarded: replace
via: 1.1 edge
routes:
  - name: orders-read             # unique
    match:
      path: /api/orders/{id}      # {name} = one segment, ** = any rest, literal otherwise
      methods: [GET, HEAD]        # default: all
      host: shop.example.com
      headers: { x-beta: "1" }
      query: { view: full }
      cookies: { tier: gold }
    mode: service
    service: orders
    fallback: legacy
    fallbackUnsafe: true
  - name: users
    match: { path: /api/users/** }
    mode: canary
    service: users
    canary: { percent: 10, stickyBy: "cookie:sid" }   # or header:NAME, or ip
  - name: users-shadow
    match: { path: "/api/accounts/{id}" }
    mode: shadow
    service: users
    shadow: { percent: 50 }
  - name: old-reports
    match:
      path: /reports/**
    mode: retired
    service: orders
  - name: plain
    match:
      path: /legacy/thing
`;

  it('parses every field as written', () => {
    const rules = ok(loadRuleText(full, 'strangler.yaml', {}));
    expect(rules.listen).toBe('127.0.0.1:8080');
    expect(rules.legacy).toEqual({ url: 'http://127.0.0.1:3000', timeoutMs: 5000, hostHeader: 'keep', connections: 64 });
    expect(rules.services).toEqual({
      orders: 'http://127.0.0.1:4001',
      users: { url: 'http://127.0.0.1:4002', timeoutMs: 10000, hostHeader: 'target' },
    });
    expect(rules.forwarded).toBe('replace');
    expect(rules.via).toBe('1.1 edge');
    expect(rules.routes.map((r) => r.name)).toEqual(['orders-read', 'users', 'users-shadow', 'old-reports', 'plain']);
    expect(rules.routes[0]).toEqual({
      name: 'orders-read',
      match: {
        path: '/api/orders/{id}',
        methods: ['GET', 'HEAD'],
        host: 'shop.example.com',
        headers: { 'x-beta': '1' },
        query: { view: 'full' },
        cookies: { tier: 'gold' },
      },
      mode: 'service',
      service: 'orders',
      fallback: 'legacy',
      fallbackUnsafe: true,
    });
    expect(rules.routes[1]!.canary).toEqual({ percent: 10, stickyBy: 'cookie:sid' });
    expect(rules.routes[2]!.match.path).toBe('/api/accounts/{id}');
    expect(rules.routes[2]!.shadow).toMatchObject({ percent: 50, maxPerSecond: 200, unsafe: false, noisePercent: 10, timeoutMs: 5000 });
  });

  it('fills the defaults: listen, services, forwarded, via, routes, mode, guard, database, admin, retention and clientTimeouts', () => {
    const rules = ok(loadRuleText('legacy: http://127.0.0.1:3000\n', 'strangler.yaml', {}));
    expect(rules).toEqual({
      listen: '127.0.0.1:8080',
      legacy: 'http://127.0.0.1:3000',
      services: {},
      forwarded: 'append',
      via: '1.1 strangler',
      routes: [],
      guard: { minSamples: 200, minMatchRate: 99 },
      verdict: { minExcessRatio: 20, minExcessShare: 0.03, minCompared: 30 },
      database: './strangler.db',
      admin: { listen: '127.0.0.1:8081' },
      retention: { days: 14, maxMb: 1024 },
      clientTimeouts: { headersMs: 30_000, requestMs: 300_000, keepAliveMs: 5_000 },
    });
    const withRoute = ok(loadRuleText('legacy: http://127.0.0.1:3000\nroutes:\n  - name: a\n    match: { path: /a }\n', 'r.yaml', {}));
    expect(withRoute.routes[0]!.mode).toBe('legacy');
    expect(withRoute.routes[0]!.match.methods).toBeUndefined();
  });

  it('accepts the exact example from the issue', () => {
    const issue = `listen: 127.0.0.1:8080
legacy: http://127.0.0.1:3000
services:
  orders: http://127.0.0.1:4001
  users: { url: http://127.0.0.1:4002, timeoutMs: 10000 }
routes:
  - name: orders-read
    match:
      path: /api/orders/{id}
      methods: [GET, HEAD]
      host: shop.example.com
    mode: service
    service: orders
    fallback: legacy
  - name: users
    match: { path: /api/users/** }
    mode: canary
    service: users
    canary: { percent: 10, stickyBy: "cookie:sid" }
`;
    const rules = ok(loadRuleText(issue, 'strangler.yaml', {}));
    expect(rules.routes).toHaveLength(2);
  });

  it('accepts stickyBy header:NAME and ip, and a canary without stickyBy', () => {
    for (const sticky of ['"header:x-user-id"', 'ip']) {
      const text = `${HEAD}routes:\n  - name: u\n    match: { path: /u }\n    mode: canary\n    service: users\n    canary: { percent: 50, stickyBy: ${sticky} }\n`;
      ok(loadRuleText(text, 'r.yaml', {}));
    }
    ok(loadRuleText(`${HEAD}routes:\n  - name: u\n    match: { path: /u }\n    mode: canary\n    service: users\n    canary: { percent: 0 }\n`, 'r.yaml', {}));
  });
});

describe('an invalid rule file is refused with file, line, column, field and a sentence', () => {
  it('unknown field (a typo) points at the key itself', () => {
    const text = `${HEAD}routes:
  - name: orders-read
    match:
      path: /api/orders/{id}
      methdos: [GET]
    mode: service
    service: orders
`;
    const e = oneError(text);
    expect(e).toMatchObject({ file: 'strangler.yaml', ...at(text, 'methdos'), field: 'routes[0].match.methdos' });
    expect(e.message).toMatch(/unknown field "methdos"/);
    expect(formatRuleError(e)).toBe(
      `strangler.yaml:${at(text, 'methdos').line}:${at(text, 'methdos').column} routes[0].match.methdos: ${e.message}`,
    );
  });

  it('unknown top-level and route fields are each named', () => {
    const text = `legacy: http://127.0.0.1:3000
rutes: []
routes:
  - name: a
    mach: { path: /a }
`;
    const errs = errors(loadRuleText(text, 'strangler.yaml', {}));
    const unknown = errs.filter((e) => /unknown field/.test(e.message));
    expect(unknown.map((e) => e.field).sort()).toEqual(['routes[0].mach', 'rutes']);
    expect(unknown.find((e) => e.field === 'rutes')).toMatchObject(at(text, 'rutes'));
    expect(unknown.find((e) => e.field === 'routes[0].mach')).toMatchObject(at(text, 'mach'));
    // The missing match is reported too, in the same pass.
    expect(errs.some((e) => e.field === 'routes[0].match' && /required/.test(e.message))).toBe(true);
  });

  it('wrong type: a string where a list is expected says what was expected, not that it is missing', () => {
    const text = `${HEAD}routes:
  - name: a
    match:
      path: /a
      methods: GET
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, 'GET'), field: 'routes[0].match.methods' });
    expect(e.message).toMatch(/expected array/);
    expect(e.message).toMatch(/string/);
    expect(e.message).not.toMatch(/required/);
  });

  it('wrong type inside a target mapping names the field inside it', () => {
    const text = `legacy: http://127.0.0.1:3000
services:
  users: { url: http://127.0.0.1:4002, timeoutMs: soon }
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, 'soon'), field: 'services.users.timeoutMs' });
    expect(e.message).toMatch(/expected number/);
    expect(e.message).not.toMatch(/required/);
  });

  it('a typo inside a target mapping is an unknown field at its key', () => {
    const text = `legacy:
  url: http://127.0.0.1:3000
  timeout: 5000
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, 'timeout'), field: 'legacy.timeout' });
    expect(e.message).toMatch(/unknown field "timeout"/);
  });

  it('a target that is not an http URL says what a URL looks like', () => {
    const text = 'legacy: ftp://127.0.0.1:3000\n';
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, 'ftp:'), field: 'legacy' });
    expect(e.message).toMatch(/http:\/\/ or https:\/\//);
  });

  it('a number out of range says the range', () => {
    const text = `${HEAD}routes:
  - name: u
    match: { path: /u }
    mode: canary
    service: users
    canary: { percent: 150 }
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, '150'), field: 'routes[0].canary.percent' });
    expect(e.message).toMatch(/between 0 and 100/);
  });

  it('bad mode lists the modes', () => {
    const text = `${HEAD}routes:
  - name: a
    match: { path: /a }
    mode: canry
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, 'canry'), field: 'routes[0].mode' });
    expect(e.message).toMatch(/legacy, shadow, canary, service, retired/);
  });

  it('missing legacy says it is required and what it looks like', () => {
    const text = `services:
  orders: http://127.0.0.1:4001
`;
    const e = oneError(text);
    expect(e).toMatchObject({ file: 'strangler.yaml', line: 1, column: 1, field: 'legacy' });
    expect(e.message).toMatch(/legacy is required/);
    expect(e.message).toMatch(/URL/);
  });

  it('missing match.path says it is required with an example', () => {
    const text = `${HEAD}routes:
  - name: a
    match: { methods: [GET] }
`;
    const e = oneError(text);
    expect(e.field).toBe('routes[0].match.path');
    expect(e.line).toBe(at(text, 'match:').line);
    expect(e.message).toMatch(/required/);
    expect(e.message).toMatch(/\/api\/orders\/\{id\}/);
  });

  it('a route naming an undefined service lists the known services', () => {
    const text = `${HEAD}routes:
  - name: a
    match: { path: /a }
    mode: service
    service: user
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, 'user\n'), field: 'routes[0].service' });
    expect(e.message).toMatch(/service "user" is not defined/);
    expect(e.message).toMatch(/known: orders, users/);
  });

  it('a mode that needs a service without one says so', () => {
    const text = `${HEAD}routes:
  - name: a
    match: { path: /a }
    mode: service
`;
    const e = oneError(text);
    expect(e.field).toBe('routes[0].service');
    expect(e.message).toMatch(/needs a service/);
  });

  it('duplicate route names point at the second and name the first', () => {
    const text = `${HEAD}routes:
  - name: orders-read
    match: { path: /a }
  - name: other
    match: { path: /b }
  - name: orders-read
    match: { path: /c }
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, 'orders-read', 2), field: 'routes[2].name' });
    expect(e.message).toMatch(/"orders-read" is already used by routes\[0\]/);
    expect(e.message).toMatch(/unique/);
  });

  it('canary without a canary block says what to add', () => {
    const text = `${HEAD}routes:
  - name: u
    match: { path: /u }
    mode: canary
    service: users
`;
    const e = oneError(text);
    expect(e.field).toBe('routes[0].canary');
    expect(e.line).toBe(at(text, '- name: u').line);
    expect(e.message).toMatch(/canary needs canary: \{ percent, stickyBy \}/);
  });

  it('bad stickyBy lists the accepted forms', () => {
    for (const bad of ['"session"', '"cookie:"', '"header:x y"', 'IP']) {
      const text = `${HEAD}routes:
  - name: u
    match: { path: /u }
    mode: canary
    service: users
    canary: { percent: 10, stickyBy: ${bad} }
`;
      const e = oneError(text);
      expect(e).toMatchObject({ ...at(text, bad), field: 'routes[0].canary.stickyBy' });
      expect(e.message).toMatch(/cookie:NAME, header:NAME or ip/);
    }
  });

  it('** in the middle of a path is refused at the path', () => {
    const text = `${HEAD}routes:
  - name: a
    match:
      path: /api/**/orders
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, '/api/**'), field: 'routes[0].match.path' });
    expect(e.message).toMatch(/\*\* stands only at the end/);
  });

  it('a segment mixing text and {param} is refused', () => {
    const text = `${HEAD}routes:
  - name: a
    match:
      path: /api/orders/{id}x
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, '/api/orders'), field: 'routes[0].match.path' });
    expect(e.message).toMatch(/"\{id\}x"/);
    expect(e.message).toMatch(/whole segment/);
  });

  it('other bad patterns: a lone *, a repeated parameter, a query, no leading slash', () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/*/orders', /has a \*/],
      ['/api/{id}/items/{id}', /\{id\} appears twice/],
      ['"/api/orders?x=1"', /match\.query/],
      ['api/orders', /starts with \//],
    ];
    for (const [path, message] of cases) {
      const text = `${HEAD}routes:\n  - name: a\n    match:\n      path: ${path}\n`;
      const e = oneError(text);
      expect(e.field, path).toBe('routes[0].match.path');
      expect(e.message, path).toMatch(message);
    }
  });

  it('invalid YAML: an unquoted {id} inside a flow map gives one error with the quoting hint', () => {
    const text = `${HEAD}routes:
  - name: a
    match: { path: /api/orders/{id} }
`;
    const e = oneError(text);
    expect(e.file).toBe('strangler.yaml');
    expect(e.line).toBe(at(text, 'match: {').line);
    expect(e.column).toBeGreaterThan(1);
    expect(e.field).toBe('');
    expect(e.message).toMatch(/not valid YAML/);
    expect(e.message).toMatch(/must be quoted/);
    expect(e.message).toContain('"/api/orders/{id}"');
  });

  it('invalid YAML without braces has no quoting hint', () => {
    const text = `legacy: http://127.0.0.1:3000
routes:
  - name: a
   match: x
`;
    const e = oneError(text);
    expect(e.message).toMatch(/not valid YAML/);
    expect(e.message).not.toMatch(/quoted/);
    expect(e.line).toBeGreaterThanOrEqual(3);
  });

  it('a duplicate key is refused', () => {
    const text = `legacy: http://127.0.0.1:3000
legacy: http://127.0.0.1:3001
`;
    const e = oneError(text);
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/not valid YAML/);
  });

  it('an empty file (or only comments) says what it needs', () => {
    for (const text of ['', '\n\n', '# just a comment\n']) {
      const e = oneError(text);
      expect(e).toMatchObject({ file: 'strangler.yaml', line: 1, column: 1 });
      expect(e.message).toMatch(/empty/);
      expect(e.message).toMatch(/legacy/);
    }
  });

  it('reports every field problem in one pass', () => {
    const text = `${HEAD}routes:
  - name: a
    match: { path: /a }
    mode: canry
  - name: b
    match: { path: /b, methods: GET }
`;
    const errs = errors(loadRuleText(text, 'strangler.yaml', {}));
    expect(errs.map((e) => e.field).sort()).toEqual(['routes[0].mode', 'routes[1].match.methods']);
    expect(formatRuleErrors(errs).split('\n')).toHaveLength(2);
  });
});

describe('${VAR} substitution', () => {
  it('replaces ${VAR} from the environment, in whole values and inside them', () => {
    const text = `legacy: \${LEGACY_URL}
services:
  orders: http://\${ORDERS_HOST}:4001
routes:
  - name: a
    match:
      path: /a
      headers:
        x-tenant: \${TENANT}
`;
    const rules = ok(loadRuleText(text, 'r.yaml', { LEGACY_URL: 'http://10.0.0.1:3000', ORDERS_HOST: 'orders.internal', TENANT: 'acme' }));
    expect(rules.legacy).toBe('http://10.0.0.1:3000');
    expect(rules.services.orders).toBe('http://orders.internal:4001');
    expect(rules.routes[0]!.match.headers).toEqual({ 'x-tenant': 'acme' });
  });

  it('${VAR:-default} uses the default when the variable is unset, the variable when set', () => {
    const text = 'legacy: "${LEGACY_URL:-http://127.0.0.1:3000}"\n';
    expect(ok(loadRuleText(text, 'r.yaml', {})).legacy).toBe('http://127.0.0.1:3000');
    expect(ok(loadRuleText(text, 'r.yaml', { LEGACY_URL: 'http://10.0.0.9:80' })).legacy).toBe('http://10.0.0.9:80');
  });

  it('uses the environment of the process when none is given', () => {
    const name = `STRANGLER_TEST_${process.pid}`;
    process.env[name] = 'http://127.0.0.1:3999';
    try {
      expect(ok(loadRuleText(`legacy: \${${name}}\n`, 'r.yaml')).legacy).toBe('http://127.0.0.1:3999');
    } finally {
      delete process.env[name];
    }
  });

  it('a number written through a variable is a number', () => {
    const text = `legacy:
  url: http://127.0.0.1:3000
  timeoutMs: \${LEGACY_TIMEOUT:-5000}
services:
  users: http://127.0.0.1:4002
routes:
  - name: u
    match: { path: /u }
    mode: canary
    service: users
    canary:
      percent: \${CANARY_PERCENT}
`;
    const rules = ok(loadRuleText(text, 'r.yaml', { CANARY_PERCENT: '25' }));
    expect(rules.legacy).toEqual({ url: 'http://127.0.0.1:3000', timeoutMs: 5000 });
    expect(rules.routes[0]!.canary!.percent).toBe(25);
    const slower = ok(loadRuleText(text, 'r.yaml', { CANARY_PERCENT: '5', LEGACY_TIMEOUT: '60000' }));
    expect(slower.legacy).toEqual({ url: 'http://127.0.0.1:3000', timeoutMs: 60000 });
  });

  it('a missing variable is reported at its line and column, naming it and how to default it', () => {
    const text = `legacy: http://127.0.0.1:3000
services:
  orders: http://127.0.0.1:4001
  users: \${USERS_URL}
`;
    const e = oneError(text);
    expect(e).toMatchObject({ file: 'strangler.yaml', ...at(text, '${USERS_URL}') });
    expect(e.message).toMatch(/USERS_URL is not set/);
    expect(e.message).toContain('${USERS_URL:-default}');
  });

  it('reports each missing variable', () => {
    const text = `legacy: \${A}
services:
  orders: \${B}
`;
    const errs = errors(loadRuleText(text, 'r.yaml', {}));
    expect(errs.map((e) => e.line)).toEqual([1, 3]);
    expect(errs.map((e) => e.message.split(' ')[2])).toEqual(['A', 'B']);
  });

  it('a substituted value is data, not YAML: it cannot add fields', () => {
    const text = 'legacy: http://127.0.0.1:3000\nvia: ${VIA}\n';
    const rules = ok(loadRuleText(text, 'r.yaml', { VIA: '1.1 a, 1.1 b' }));
    expect(rules.via).toBe('1.1 a, 1.1 b');
    const injected = oneError(text, { VIA: 'x\ninjected: true' });
    expect(injected.field).toBe('via');
    expect(injected.message).toMatch(/CR, LF or NUL/);
  });
});

describe('CR/LF in values that reach headers', () => {
  it('a header match value with CR/LF is refused', () => {
    const text = `${HEAD}routes:
  - name: a
    match:
      path: /a
      headers: { x-beta: "1\\r\\nX-Admin: yes" }
`;
    const e = oneError(text);
    expect(e).toMatchObject({ ...at(text, '"1\\r'), field: 'routes[0].match.headers.x-beta' });
    expect(e.message).toMatch(/must not contain CR, LF or NUL/);
  });

  it('a header match value with only LF, and one from the environment, are refused too', () => {
    const text = `${HEAD}routes:
  - name: a
    match:
      path: /a
      headers:
        x-beta: \${BETA}
`;
    expect(oneError(text, { BETA: 'a\nb' }).field).toBe('routes[0].match.headers.x-beta');
    expect(oneError(text, { BETA: 'a\rb' }).message).toMatch(/CR, LF or NUL/);
    ok(loadRuleText(text, 'r.yaml', { BETA: 'on' }));
  });

  it('query and cookie values, hostHeader and via are guarded the same way', () => {
    const cases: Array<[string, string]> = [
      [`${HEAD}routes:\n  - name: a\n    match:\n      path: /a\n      query: { q: "a\\nb" }\n`, 'routes[0].match.query.q'],
      [`${HEAD}routes:\n  - name: a\n    match:\n      path: /a\n      cookies: { c: "a\\r\\nb" }\n`, 'routes[0].match.cookies.c'],
      ['legacy: { url: http://127.0.0.1:3000, hostHeader: "a\\r\\nb" }\n', 'legacy.hostHeader'],
      ['legacy: http://127.0.0.1:3000\nvia: "1.1 a\\r\\nX-Evil: 1"\n', 'via'],
    ];
    for (const [text, field] of cases) {
      const e = oneError(text);
      expect(e.field).toBe(field);
      expect(e.message).toMatch(/CR, LF or NUL/);
    }
  });
});
