import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatRuleError } from '../src/rules/load.js';
import { pathSegments } from '../src/rules/normalise-path.js';
import { endpointFor } from '../src/progress/attribute.js';
import { endpointsFromOpenApi, parseOpenApiText } from '../src/progress/openapi.js';
import { classifySegment } from '../src/progress/segment-kind.js';
import { TemplateLearner } from '../src/progress/template-learner.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const learn = (learner: TemplateLearner, path: string) => learner.template(pathSegments(path));

/** A small deterministic generator, so a failing flood can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('classifySegment', () => {
  const values: Array<[string, string]> = [
    ['17', '{id}'],
    ['0', '{id}'],
    ['007', '{id}'],
    ['123456789012345678', '{id}'],
    ['2024', '{id}'],
    ['12345678', '{id}'],
    ['99999999', '{id}'],
    ['550e8400-e29b-41d4-a716-446655440000', '{uuid}'],
    ['550E8400-E29B-41D4-A716-446655440000', '{uuid}'],
    ['2024-05-01', '{date}'],
    ['20240501', '{date}'],
    ['2024-05-01T10:15:00Z', '{date}'],
    ['2024-05-01T10:15:00.123+02:00', '{date}'],
    ['507f1f77bcf86cd799439011', '{hex}'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', '{hex}'],
    ['DEADBEEF01', '{hex}'],
    ['a1b2c3d4', '{hex}'],
    ['alice@example.com', '{email}'],
    ['alice.smith%40mail.example.co.uk', '{email}'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', '{token}'],
    ['V1StGXR8_Z5jdHi6B-myT', '{token}'],
    ['cus_NffrFeUfNV2Hib', '{token}'],
    ['pi_3MtwBwLkdIwHu7ix28a3tqPa', '{token}'],
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '{token}'],
    ['dGhpcyBpcyBhIHRlc3Q0', '{token}'],
    ['dGhpcyBpcyBhIHRlc3Q=', '{token}'],
    ['k3j4h5g6f7d8s9a0q1w2', '{token}'],
  ];
  const literals = [
    'api',
    'v1',
    'v2',
    'orders',
    '2fa',
    'html5',
    'mp3',
    'x86_64',
    'oauth2',
    'index.html',
    'me',
    'deadbeef',
    'cafe',
    'effacedbed',
    '2024-13-45',
    'iphone-15-pro-max-256gb',
    'oauth2-callback-handler',
    'how-to-migrate-in-2024',
    'ProductCatalogV2Items',
    'HTTP2SERVERPUSHCONFIG',
    'getUserById2',
    'abcdefghijklmnopqrstuvwxyz',
    'well-known',
    'not-an@email',
    'Base64EncodedThing',
    '',
  ];

  it.each(values)('%s is a value: %s', (seg, name) => {
    expect(classifySegment(seg)).toBe(name);
  });

  it.each(literals.map((l) => [l]))('%s stays literal', (seg) => {
    expect(classifySegment(seg)).toBeNull();
  });

  it('stays fast on a long hostile segment', () => {
    const hostile = 'a'.repeat(50_000) + 'B1c';
    const started = performance.now();
    classifySegment(hostile);
    classifySegment('Aa'.repeat(25_000) + '1x');
    classifySegment('a@' + 'b.'.repeat(25_000) + '!');
    classifySegment('2024-05-01T' + '1'.repeat(50_000));
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('TemplateLearner on realistic traffic', () => {
  it('turns ids into parameters and keeps the names around them', () => {
    const l = new TemplateLearner();
    expect(learn(l, '/api/orders/17')).toBe('/api/orders/{id}');
    expect(learn(l, '/api/orders/18')).toBe('/api/orders/{id}');
    expect(learn(l, '/api/orders/19/items')).toBe('/api/orders/{id}/items');
    expect(learn(l, '/api/orders')).toBe('/api/orders');
    expect(learn(l, '/api/v1/users/550e8400-e29b-41d4-a716-446655440000')).toBe('/api/v1/users/{uuid}');
    expect(learn(l, '/api/reports/2024-05-01')).toBe('/api/reports/{date}');
    expect(learn(l, '/api/reports/2024-05-02?format=csv')).toBe('/api/reports/{date}');
    expect(learn(l, '/commits/da39a3ee5e6b4b0d3255bfef95601890afd80709/diff')).toBe('/commits/{hex}/diff');
    expect(learn(l, '/')).toBe('/');
    expect(l.templateCount).toBe(7 + 1);
  });

  it('makes a position a parameter once more than 50 distinct names turn up under one parent', () => {
    const l = new TemplateLearner();
    const names = Array.from({ length: 50 }, (_, i) => `user${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`);
    for (const name of names) expect(learn(l, `/users/${name}/profile`)).toBe(`/users/${name}/profile`);
    expect(learn(l, '/users/alice/profile')).toBe('/users/{param}/profile');
    // For consistency the names seen before the collapse go the same way.
    expect(learn(l, `/users/${names[0]}/profile`)).toBe('/users/{param}/profile');
    expect(learn(l, '/users/zoe/orders')).toBe('/users/{param}/orders');
    // Ids keep their own kind under a collapsed parent.
    expect(learn(l, '/users/42/profile')).toBe('/users/{id}/profile');
    // Other parents are untouched.
    expect(learn(l, '/teams/core/profile')).toBe('/teams/core/profile');
  });

  it('keeps a busy literal such as /users/me through the collapse', () => {
    const l = new TemplateLearner({ maxChildrenPerParent: 5 });
    for (let i = 0; i < 20; i++) learn(l, '/users/me/profile');
    for (const name of ['ann', 'bob', 'cid', 'dan', 'eve', 'fay']) learn(l, `/users/${name}/profile`);
    expect(learn(l, '/users/me/profile')).toBe('/users/me/profile');
    expect(learn(l, '/users/ann/profile')).toBe('/users/{param}/profile');
  });

  it('respects a custom per-parent limit', () => {
    const l = new TemplateLearner({ maxChildrenPerParent: 3 });
    for (const tag of ['red', 'green', 'blue']) expect(learn(l, `/tags/${tag}`)).toBe(`/tags/${tag}`);
    expect(learn(l, '/tags/yellow')).toBe('/tags/{param}');
    expect(learn(l, '/tags/red')).toBe('/tags/{param}');
  });

  it('never learns forged template spellings from a request', () => {
    const l = new TemplateLearner();
    expect(learn(l, '/api/{id}')).toBe('/api/{param}');
    expect(learn(l, '/api/**')).toBe('/api/{param}');
  });
});

describe('TemplateLearner under a hostile flood', () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
  const word = (rnd: () => number, len: number) => Array.from({ length: len }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');

  it('keeps 100,000 random paths under the template cap with a bounded tree', () => {
    const maxTemplates = 500;
    const maxDepth = 32;
    const l = new TemplateLearner({ maxTemplates });
    const rnd = random(42);
    const seen = new Set<string>();
    // Real endpoints learned before the flood keep their templates.
    for (let i = 0; i < 200; i++) seen.add(learn(l, `/api/orders/${i}`));
    expect([...seen]).toEqual(['/api/orders/{id}']);
    for (let i = 0; i < 100_000; i++) {
      const depth = 1 + Math.floor(rnd() * 40);
      const segs = Array.from({ length: depth }, () => (rnd() < 0.3 ? word(rnd, 3) : word(rnd, 1 + Math.floor(rnd() * 12))));
      // Some of the flood hides under a real prefix.
      if (rnd() < 0.2) segs.unshift('api', 'orders');
      seen.add(l.template(segs));
    }
    expect(seen.size).toBeLessThanOrEqual(maxTemplates);
    expect(l.templateCount).toBeLessThanOrEqual(maxTemplates);
    expect(l.nodeCount).toBeLessThanOrEqual(maxTemplates * (maxDepth + 1));
    expect(learn(l, '/api/orders/17')).toBe('/api/orders/{id}');
  });

  it('keeps the vocabulary through a vulnerability scan of one-off paths', () => {
    const l = new TemplateLearner();
    for (let i = 0; i < 300; i++) learn(l, `/api/orders/${i}`);
    for (let i = 0; i < 30; i++) learn(l, '/static/app.js');
    for (let i = 0; i < 10; i++) learn(l, '/login');
    const rnd = random(7);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const scanned = Array.from({ length: 500 }, () => Array.from({ length: 10 }, () => letters[Math.floor(rnd() * 26)]).join('') + '.php');
    for (const p of scanned) learn(l, `/${p}`);
    expect(learn(l, '/api/orders/7')).toBe('/api/orders/{id}');
    expect(learn(l, '/static/app.js')).toBe('/static/app.js');
    expect(learn(l, '/login')).toBe('/login');
    expect(learn(l, `/${scanned[0]}`)).toBe('/{param}');
    expect(learn(l, '/wp-login.php')).toBe('/{param}');
  });

  it('sends new paths to the longest known prefix + /** once the table is full, and to /** at last', () => {
    const l = new TemplateLearner({ maxTemplates: 10, maxChildrenPerParent: 1000 });
    // 10 templates: 8 learned, 1 prefixed overflow, the root /**.
    for (let i = 0; i < 8; i++) expect(learn(l, `/api/thing${'abcdefgh'[i]}`)).toBe(`/api/thing${'abcdefgh'[i]}`);
    expect(learn(l, '/api/other')).toBe('/api/**');
    expect(learn(l, '/api/another/deep')).toBe('/api/**');
    expect(learn(l, '/elsewhere')).toBe('/**');
    expect(learn(l, '/api/thinga')).toBe('/api/thinga');
    expect(l.templateCount).toBe(10);
  });

  it('ends paths deeper than maxDepth in /**', () => {
    const l = new TemplateLearner({ maxDepth: 3 });
    expect(learn(l, '/a/b/c/d/e')).toBe('/a/b/c/**');
    expect(learn(l, '/a/b/c/x')).toBe('/a/b/c/**');
    expect(learn(l, '/a/b/c')).toBe('/a/b/c');
  });

  it('treats over-long segments as values', () => {
    const l = new TemplateLearner();
    expect(learn(l, `/files/${'x'.repeat(500)}`)).toBe('/files/{param}');
  });
});

describe('seeded templates', () => {
  it('attribute traffic to the seeded spelling, literals first', () => {
    const l = new TemplateLearner();
    l.seed('/api/orders/{orderId}');
    l.seed('/api/orders/search');
    l.seed('/api/orders/{orderId}/items');
    expect(learn(l, '/api/orders/abc')).toBe('/api/orders/{orderId}');
    expect(learn(l, '/api/orders/17')).toBe('/api/orders/{orderId}');
    expect(learn(l, '/api/orders/search')).toBe('/api/orders/search');
    expect(learn(l, '/api/orders/17/items')).toBe('/api/orders/{orderId}/items');
    expect(learn(l, '/api/orders/17/notes')).toBe('/api/orders/{orderId}/notes');
  });

  it('supersede what traffic learned at that position', () => {
    const l = new TemplateLearner();
    expect(learn(l, '/api/orders/abc')).toBe('/api/orders/abc');
    l.seed('/api/orders/{id}');
    expect(learn(l, '/api/orders/abc')).toBe('/api/orders/{id}');
  });

  it('keep their literals past the per-parent limit', () => {
    const l = new TemplateLearner({ maxChildrenPerParent: 2 });
    l.seed('/api/orders');
    for (const name of ['a', 'b', 'c', 'd']) learn(l, `/api/${name}`);
    expect(learn(l, '/api/orders')).toBe('/api/orders');
    expect(learn(l, '/api/zzz')).toBe('/api/{param}');
  });
});

describe('endpointFor', () => {
  it('uses a route template when it names every segment, with the request method', () => {
    const l = new TemplateLearner();
    expect(endpointFor('get', '/api/orders/abc-17', '/api/orders/{id}', l)).toEqual({ method: 'GET', path: '/api/orders/{id}' });
    expect(endpointFor('HEAD', '/api/orders/1', '/api/orders/{id}', l)).toEqual({ method: 'HEAD', path: '/api/orders/{id}' });
    expect(l.templateCount).toBe(1);
  });

  it('learns under a ** route and keeps the route prefix as written', () => {
    const l = new TemplateLearner({ maxChildrenPerParent: 2 });
    // Collapse /api/{param} first: the route's `users` still shows.
    for (const n of ['a', 'b', 'c']) learn(l, `/api/${n}`);
    expect(endpointFor('post', '/api/users/17/posts', '/api/users/**', l)).toEqual({ method: 'POST', path: '/api/users/{id}/posts' });
    expect(endpointFor('get', '/api/users', '/api/users/**', l)).toEqual({ method: 'GET', path: '/api/users' });
    expect(endpointFor('get', '/api//users/./18/posts/', '/api/users/**', l)).toEqual({ method: 'GET', path: '/api/users/{id}/posts' });
  });

  it('falls back to the route template when the learner overflows above it', () => {
    const l = new TemplateLearner({ maxTemplates: 1 });
    expect(endpointFor('get', '/api/users/17', '/api/users/**', l)).toEqual({ method: 'GET', path: '/api/users/**' });
    expect(endpointFor('get', '/other/17', null, l)).toEqual({ method: 'GET', path: '/**' });
  });

  it('learns unrouted (legacy) traffic from the normalised path', () => {
    const l = new TemplateLearner();
    expect(endpointFor('delete', '/api/%6Frders/17?x=1', null, l)).toEqual({ method: 'DELETE', path: '/api/orders/{id}' });
  });
});

describe('OpenAPI import', () => {
  it('reads paths and methods with the server prefix', () => {
    const result = parseOpenApiText(readFileSync(fixture('openapi-shop.yaml'), 'utf8'), 'openapi-shop.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.endpoints).toEqual([
      { method: 'GET', path: '/api/orders' },
      { method: 'POST', path: '/api/orders' },
      { method: 'GET', path: '/api/orders/{orderId}' },
      { method: 'DELETE', path: '/api/orders/{orderId}' },
      { method: 'GET', path: '/api/orders/{orderId}/items' },
      { method: 'GET', path: '/api/customers/{customerId}/invoices/{invoiceId}.pdf' },
      { method: 'GET', path: '/health' },
      { method: 'HEAD', path: '/health' },
      { method: 'GET', path: '/api/carts/{cartId}' },
      { method: 'PUT', path: '/api/carts/{cartId}' },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('seeds the learner so traffic lands on the documented endpoints', () => {
    const result = parseOpenApiText(readFileSync(fixture('openapi-shop.yaml'), 'utf8'), 'openapi-shop.yaml');
    if (!result.ok) throw new Error('fixture must parse');
    const l = new TemplateLearner();
    for (const e of result.endpoints) l.seed(e.path);
    expect(endpointFor('GET', '/api/orders/A-17/items', null, l).path).toBe('/api/orders/{orderId}/items');
    expect(endpointFor('GET', '/api/customers/c9/invoices/2024-05.pdf', null, l).path).toBe('/api/customers/{customerId}/invoices/{invoiceId}.pdf');
  });

  it('reads JSON and relative or templated server URLs', () => {
    const json = JSON.stringify({
      openapi: '3.1.0',
      servers: [{ url: '{scheme}://api.example.com/{base}', variables: { scheme: { default: 'https' }, base: { default: 'v2' } } }],
      paths: { '/items/{id}': { get: {}, patch: {}, parameters: [] } },
    });
    expect(parseOpenApiText(json, 'api.json')).toEqual({
      ok: true,
      endpoints: [
        { method: 'GET', path: '/v2/items/{id}' },
        { method: 'PATCH', path: '/v2/items/{id}' },
      ],
      warnings: [],
    });
    expect(endpointsFromOpenApi({ openapi: '3.0.0', servers: [{ url: '/base/' }], paths: { '/': { get: {} } } })).toEqual([
      { method: 'GET', path: '/base' },
    ]);
  });

  it('names the file, line and field when a document is not OpenAPI 3', () => {
    const swagger = parseOpenApiText('swagger: "2.0"\ninfo: { title: x }\npaths: {}\n', 'legacy-api.yaml');
    expect(swagger.ok).toBe(false);
    if (swagger.ok) return;
    expect(formatRuleError(swagger.errors[0]!)).toBe(
      'legacy-api.yaml:1:10 swagger: this is Swagger 2.0; only OpenAPI 3 is read. Convert it first (for example with swagger2openapi)',
    );

    const bad = parseOpenApiText('openapi: 3.0.3\npaths:\n  orders:\n    get: {}\n  /items:\n    post: nope\n', 'shop.yaml');
    if (bad.ok) throw new Error('expected errors');
    expect(bad.errors.map(formatRuleError)).toEqual([
      'shop.yaml:3:3 paths.orders: path "orders" must start with /',
      'shop.yaml:6:11 paths["/items"].post: the post operation must be a mapping',
    ]);

    const broken = parseOpenApiText('openapi: 3.0.3\npaths:\n  /a: [unclosed\n', 'broken.yaml');
    if (broken.ok) throw new Error('expected errors');
    expect(broken.errors[0]!.file).toBe('broken.yaml');
    expect(broken.errors[0]!.message).toMatch(/^not valid YAML or JSON: /);

    const noPaths = parseOpenApiText('openapi: 3.0.3\ninfo: { title: x }\n', 'empty.yaml');
    if (noPaths.ok) throw new Error('expected errors');
    expect(formatRuleError(noPaths.errors[0]!)).toBe('empty.yaml:1:1 paths: paths is missing; there are no endpoints to import');

    expect(() => endpointsFromOpenApi({ openapi: '2.0', paths: {} })).toThrow('openapi: openapi is "2.0"; only OpenAPI 3.x is read');
  });
});
