import { describe, it, expect } from 'vitest';
import { compileTable } from '../src/rules/compile.js';
import { normalisePath, pathSegments, targetPath } from '../src/rules/normalise-path.js';
import { parsePattern } from '../src/rules/path-pattern.js';
import { RequestView } from '../src/rules/request-view.js';
import { RuleFileSchema } from '../src/rules/schema.js';

const table = compileTable(
  RuleFileSchema.parse({
    legacy: 'http://127.0.0.1:3000',
    services: { orders: 'http://127.0.0.1:4001' },
    routes: [
      { name: 'orders', match: { path: '/api/orders/{id}' }, mode: 'service', service: 'orders' },
      { name: 'admin', match: { path: '/admin/**' }, mode: 'service', service: 'orders' },
    ],
  }),
);

const view = (url: string, method = 'GET') => new RequestView(method, url, { host: 'shop.example.com' }, '127.0.0.1');
const claimed = (url: string) => table.match(view(url));

describe('spellings that must not slip past /api/orders/{id}', () => {
  const bypasses = [
    '/api/%6Frders/7', // percent-encoded unreserved letter
    '/api/%6frders/7', // lower-case hex
    '/%61pi/orders/7',
    '/api/orders/%37', // encoded digit
    '/api/ord%65rs/7',
    '/%61%70%69/%6F%72%64%65%72%73/%37', // every character encoded
    '/api/x/../orders/7', // dot-dot
    '/api/x/y/../../orders/7',
    '/api/./orders/7', // dot
    '/./api/./orders/./7/.',
    '/api//orders/7', // empty segment
    '//api///orders//7',
    '/api/orders/7/', // trailing slash
    '/api/orders/7//',
    '/api/%2e%2e/api/orders/7', // encoded dot-dot
    '/api/%2E%2E/api/orders/7', // upper-case hex
    '/api/%2e%2E/api/orders/7', // mixed
    '/api/.%2e/api/orders/7', // half encoded
    '/api/%2e./api/orders/7',
    '/api/%2e/orders/7', // encoded dot
    '/api/%2E/orders/7',
    '/x/y/%2e%2e/%2e%2e/api/orders/7',
    '/api/orders/x/%2e%2e/7',
    '/api/orders/7/x/..',
  ];

  for (const url of bypasses) {
    it(`${url} is /api/orders/7`, () => {
      expect(normalisePath(url)).toBe('/api/orders/7');
      expect(claimed(url)).toMatchObject({ route: { name: 'orders' }, params: { id: '7' } });
    });
  }

  it('.. never climbs above the root', () => {
    expect(normalisePath('/../api/orders/7')).toBe('/api/orders/7');
    expect(normalisePath('/../../../api/orders/7')).toBe('/api/orders/7');
    expect(normalisePath('/%2e%2e/%2e%2e/api/orders/7')).toBe('/api/orders/7');
    expect(normalisePath('/..')).toBe('/');
    expect(normalisePath('/a/../../..')).toBe('/');
    expect(claimed('/../../api/orders/7')?.route.name).toBe('orders');
  });

  it('a ** rule is not escaped by dot segments either, and not entered by them', () => {
    expect(claimed('/public/../admin/users')?.route.name).toBe('admin');
    expect(claimed('/public/%2e%2e/admin/users')?.route.name).toBe('admin');
    expect(claimed('/admin/%2e%2e/public')).toBeNull();
    expect(claimed('/admin/../public')).toBeNull();
    expect(claimed('/%61dmin')?.route.name).toBe('admin');
  });

  it('the request keeps its raw path: only matching sees the normalised one', () => {
    const raw = '/api/x/../%6Frders//7/?q=%2e%2e';
    const v = view(raw);
    expect(v.rawPath).toBe(raw);
    expect(v.segments).toEqual(['api', 'orders', '7']);
  });
});

describe('what must not be decoded or folded', () => {
  it('%2F does not split a segment', () => {
    expect(normalisePath('/api%2Forders/7')).toBe('/api%2Forders/7');
    expect(claimed('/api%2Forders/7')).toBeNull();
    expect(claimed('/api%2forders/7')).toBeNull();
    expect(pathSegments('/api/orders/a%2Fb')).toEqual(['api', 'orders', 'a%2Fb']);
    expect(claimed('/api/orders/a%2Fb')?.params).toEqual({ id: 'a%2Fb' });
  });

  it('an encoded slash cannot hide a dot-dot', () => {
    expect(pathSegments('/api/x%2F..%2Forders/7')).toEqual(['api', 'x%2F..%2Forders', '7']);
    expect(claimed('/api/x%2F..%2Forders/7')).toBeNull();
    expect(pathSegments('/api/orders/%2e%2e%2F7')).toEqual(['api', 'orders', '..%2F7']);
  });

  it('reserved and non-ASCII escapes stay escaped, with upper-case hex so spellings compare alike', () => {
    expect(normalisePath('/a%3fb/c%23d/e%25f')).toBe('/a%3Fb/c%23d/e%25f');
    expect(normalisePath('/caf%c3%a9')).toBe('/caf%C3%A9');
    expect(normalisePath('/caf%C3%A9')).toBe('/caf%C3%A9');
    expect(normalisePath('/a%20b')).toBe('/a%20b');
    expect(normalisePath('/a%00b')).toBe('/a%00b');
  });

  it('%25 is decoded once only: %252e is not a dot', () => {
    expect(normalisePath('/api/%252e%252e/orders/7')).toBe('/api/%252e%252e/orders/7');
    expect(claimed('/x/%252e%252e/api/orders/7')).toBeNull();
  });

  it('broken escapes are kept as written', () => {
    expect(normalisePath('/a%zz/b%4/c%')).toBe('/a%zz/b%4/c%');
    expect(claimed('/api/orders/%')?.params).toEqual({ id: '%' });
  });

  it('case is kept as written', () => {
    expect(normalisePath('/API/Orders/7')).toBe('/API/Orders/7');
    expect(claimed('/API/orders/7')).toBeNull();
    expect(claimed('/api/ORDERS/7')).toBeNull();
    expect(claimed('/api/Orders/7')).toBeNull();
    // Decoding never changes case: %4F is "O", not "o".
    expect(claimed('/api/%4Frders/7')).toBeNull();
    expect(claimed('/%41PI/orders/7')).toBeNull();
  });

  it('params keep their case and their decoded unreserved characters', () => {
    expect(claimed('/api/orders/AbC-%7E_.x')?.params).toEqual({ id: 'AbC-~_.x' });
  });

  it('unreserved punctuation is decoded: - . _ ~', () => {
    expect(normalisePath('/%2D%2e%5F%7e')).toBe('/-._~');
  });
});

describe('query strings and fragments', () => {
  it('the query is not part of the path', () => {
    expect(claimed('/api/orders/7?x=1')).toMatchObject({ route: { name: 'orders' }, params: { id: '7' } });
    expect(claimed('/api/orders/7?next=/admin/x')?.route.name).toBe('orders');
    expect(claimed('/api/orders/7?../../admin')?.route.name).toBe('orders');
    expect(normalisePath('/api/orders/7?a/b/c')).toBe('/api/orders/7');
  });

  it('a ? ends the path, even before a slash', () => {
    expect(claimed('/api/orders?/7')).toBeNull();
    expect(claimed('/api?/orders/7')).toBeNull();
    expect(normalisePath('/api/orders/%3F7')).toBe('/api/orders/%3F7');
  });

  it('an (illegal) fragment ends the path too', () => {
    expect(normalisePath('/api/orders/7#frag/x')).toBe('/api/orders/7');
    expect(normalisePath('/api/orders/7#x?y')).toBe('/api/orders/7');
  });

  it('an empty path with a query is the root', () => {
    expect(normalisePath('/?x=1')).toBe('/');
    expect(normalisePath('/')).toBe('/');
    expect(pathSegments('/')).toEqual([]);
  });
});

describe('absolute-form request targets', () => {
  it('are matched by their path', () => {
    expect(claimed('http://shop.example.com/api/orders/7?x=1')).toMatchObject({ route: { name: 'orders' }, params: { id: '7' } });
    expect(claimed('https://shop.example.com:8443/api/%6Frders/7')?.route.name).toBe('orders');
    expect(claimed('http://shop.example.com/x/../api/orders/7')?.route.name).toBe('orders');
  });

  it('the authority is never read as a path segment', () => {
    expect(claimed('http://api/orders/7')).toBeNull();
    expect(normalisePath(targetPath('http://api/orders/7'))).toBe('/orders/7');
    expect(targetPath('http://h.example/api/orders/7?x=1')).toBe('/api/orders/7?x=1');
  });

  it('with no path, or only a query, are the root', () => {
    expect(targetPath('http://h.example')).toBe('/');
    expect(targetPath('http://h.example?x=/api/orders/7')).toBe('/?x=/api/orders/7');
    expect(claimed('http://h.example?x=/api/orders/7')).toBeNull();
    expect(view('http://h.example').segments).toEqual([]);
  });

  it('origin-form and * are left as they are', () => {
    expect(targetPath('/api/orders/7?x=1')).toBe('/api/orders/7?x=1');
    expect(targetPath('*')).toBe('*');
    expect(view('*', 'OPTIONS').rawPath).toBe('*');
  });

  it('keep the raw target path for forwarding', () => {
    expect(view('http://h.example/api/%6Frders/7?x=1').rawPath).toBe('/api/%6Frders/7?x=1');
  });
});

describe('rule patterns are normalised the same way as requests', () => {
  it('an encoded or dotted pattern matches the plain request', () => {
    const t = compileTable(
      RuleFileSchema.parse({
        legacy: 'http://127.0.0.1:3000',
        routes: [
          { name: 'enc', match: { path: '/api/%6frders/{id}' } },
          { name: 'slashes', match: { path: '//v2//things/' } },
          { name: 'reserved', match: { path: '/files/a%2fb' } },
        ],
      }),
    );
    expect(t.match(view('/api/orders/7'))?.route.name).toBe('enc');
    expect(t.match(view('/v2/things'))?.route.name).toBe('slashes');
    expect(t.match(view('/files/a%2Fb'))?.route.name).toBe('reserved');
    expect(t.match(view('/files/a/b'))).toBeNull();
  });

  it('parsePattern sees normalised literals', () => {
    const parsed = parsePattern('/api/%6Frders/./{id}/');
    expect(parsed).toEqual({
      ok: true,
      segments: [
        { kind: 'literal', value: 'api' },
        { kind: 'literal', value: 'orders' },
        { kind: 'param', name: 'id' },
      ],
    });
  });
});
