import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRuleErrors, loadRuleText } from '../src/rules/load.js';
import { startLedgerStack, type LedgerStack } from './helpers/ledger-stack.js';
import { proxyFor, rawExchange, startUpstream, type Upstream } from './helpers/transparency-upstream.js';

/**
 * Attack: a value in the rule file (or sent to the admin API, or brought in
 * through `${VAR}`) that would write a second header, or a second request,
 * into what the proxy sends upstream: CR, LF, NUL and friends.
 *
 * The answer: every value that reaches a forwarded header (`via`,
 * `hostHeader`) is refused at its file:line:column unless it is a valid
 * header value (tab, printable ASCII, Latin-1), so it can neither inject a
 * line nor make every forward fail; target URLs are refused with a control
 * character or a space in them (the URL parser would drop CR, LF and tab
 * without a word); values a request is compared with (match headers, query,
 * cookies) are refused with CR, LF or NUL (test/rules-schema.test.ts).
 */

const INJECTIONS: Array<[string, string]> = [
  ['CR LF', '\\r\\nX-Injected: 1'],
  ['a lone LF', '\\nX-Injected: 1'],
  ['a lone CR', '\\rX-Injected: 1'],
  ['NUL', '\\0'],
  ['another control character', '\\x01'],
  ['DEL', '\\x7f'],
  ['a Unicode line separator', '\\u2028'],
  ['a character past U+00FF', '\\u2192'],
];

/** YAML for a rule file with `value` (a double-quoted YAML string body) in one place, and the field and line it is at. */
const PLACES: Array<[string, (value: string) => string, string, number]> = [
  ['via', (v) => `legacy: http://127.0.0.1:3000\nvia: "1.1 strangler${v}"\n`, 'via', 2],
  ['legacy hostHeader', (v) => `legacy:\n  url: http://127.0.0.1:3000\n  hostHeader: "shop.example${v}"\n`, 'legacy.hostHeader', 3],
  ['a service hostHeader', (v) => `legacy: http://127.0.0.1:3000\nservices:\n  orders: { url: http://127.0.0.1:4001, hostHeader: "orders${v}" }\n`, 'services.orders.hostHeader', 3],
  ['the legacy URL', (v) => `legacy: "http://127.0.0.1:3000/app${v}"\n`, 'legacy', 1],
  ['a service URL', (v) => `legacy: http://127.0.0.1:3000\nservices:\n  orders:\n    url: "http://127.0.0.1:4001/v2${v}"\n`, 'services.orders.url', 4],
];

describe('refused at file:line, before anything is forwarded', () => {
  const cases = PLACES.flatMap(([where, text, field, line]) =>
    // Outside ASCII, a URL's characters are percent-encoded by the URL parser: nothing to inject there.
    INJECTIONS.filter(([, value]) => !(where.includes('URL') && value.startsWith('\\u'))).map(([what, value]) => [where, what, text(value), field, line] as const),
  );

  it.each(cases)('%s with %s', (_where, _what, text, field, line) => {
    const r = loadRuleText(text, 'strangler.yaml', {});
    expect(r.ok, text).toBe(false);
    if (r.ok) return;
    expect(r.errors, formatRuleErrors(r.errors)).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: 'strangler.yaml', line, field });
    expect(r.errors[0]!.message).toMatch(/CR, LF/);
  });

  it('the same from the environment: ${VIA} with a line break is refused at its line', () => {
    const r = loadRuleText('legacy: http://127.0.0.1:3000\nvia: ${VIA}\n', 'strangler.yaml', { VIA: '1.1 a\r\nX-Injected: 1' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatRuleErrors(r.errors)).toMatch(/^strangler\.yaml:2:6 via: via must not contain CR, LF or NUL/);
  });

  it('a URL with a space is refused rather than encoded behind your back', () => {
    const r = loadRuleText('legacy: "http://127.0.0.1:3000/my app"\n', 'strangler.yaml', {});
    expect(r.ok).toBe(false);
  });
});

describe('what is accepted is forwarded as written', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(() => upstream?.close());

  it('a via and a hostHeader with a tab and Latin-1 reach the upstream byte for byte, in one header each', async () => {
    const r = loadRuleText(`legacy:\n  url: ${upstream.url}\n  hostHeader: "caf\\xe9.example"\nvia: "1.1 caf\\xe9\\tproxy"\n`, 'strangler.yaml', {});
    if (!r.ok) throw new Error(formatRuleErrors(r.errors));
    const proxy = await proxyFor(r.rules.legacy, { via: r.rules.via });
    try {
      const res = await rawExchange(proxy.port, 'GET /x HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n');
      expect(res.status).toBe(200);
      const seen = upstream.seen.at(-1)!;
      const names = seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      expect(names.filter((n) => n === 'via' || n === 'host')).toHaveLength(2);
      expect(names).not.toContain('x-injected');
      const value = (n: string) => seen.rawHeaders[seen.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === n) + 1];
      expect(value('via')).toBe('1.1 caf\xe9\tproxy');
      expect(value('host')).toBe('caf\xe9.example');
    } finally {
      await proxy.close();
    }
  });
});

describe('the admin API applies the same checks', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await startLedgerStack({ services: ['orders'], rules: (u) => `legacy: ${u.legacy}\ndatabase: ./strangler.db\nservices:\n  orders: ${u.services.orders}\n` });
  });
  afterAll(() => stack?.close());

  it('PUT /api/routes with a line break in via, a hostHeader or a URL is 400 naming the field, and changes nothing', async () => {
    const before = (await stack.api('GET', '/api/revisions')).body;
    const tries: Array<[unknown, string]> = [
      [{ via: '1.1 a\r\nX-Injected: 1' }, 'via'],
      [{ via: '1.1 a\u2192b' }, 'via'],
      [{ services: { orders: { url: stack.urls.services.orders, hostHeader: 'a\nb' } } }, 'services.orders.hostHeader'],
      [{ services: { orders: `${stack.urls.services.orders}/v2\r\nX: y` } }, 'services.orders'],
    ];
    for (const [body, field] of tries) {
      const res = await stack.api('PUT', '/api/routes', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    expect((await stack.api('GET', '/api/revisions')).body).toEqual(before);
    expect((await stack.proxy('GET', '/still')).body).toMatchObject({ from: 'legacy' });
  });
});
