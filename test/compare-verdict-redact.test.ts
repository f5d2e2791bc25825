import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { VerdictSchema } from '../src/rules/schema.js';
import { MORE_DIFFERENCES } from '../src/shadow/difference-list.js';
import { REDACTED, redactBody, redactHeaders, redactUrl } from '../src/shadow/redact.js';
import { groupsOf, signatureOf } from '../src/shadow/signature.js';
import type { Difference } from '../src/shadow/types.js';
import { verdictOf } from '../src/shadow/verdict.js';

const T = VerdictSchema.parse({});

describe('verdictOf', () => {
  it('uses the issue defaults: 20% excess ratio, 0.03% excess share, 30 compared', () => {
    expect(T).toEqual({ minExcessRatio: 20, minExcessShare: 0.03, minCompared: 30 });
  });

  it('is unknown under the minimum of compared requests, whatever the counts', () => {
    expect(verdictOf(29, 0, 29, T)).toBe('unknown');
    expect(verdictOf(0, 0, 0, T)).toBe('unknown');
    expect(verdictOf(30, 0, 30, T)).toBe('regression');
  });

  it('is a regression when the service clearly adds to what legacy does by itself', () => {
    expect(verdictOf(100, 0, 1000, T)).toBe('regression');
    expect(verdictOf(100, 50, 1000, T)).toBe('regression'); // 50/150 = 33%
  });

  it('is noise when legacy differs from itself as often, or more', () => {
    expect(verdictOf(100, 100, 1000, T)).toBe('noise');
    expect(verdictOf(50, 100, 1000, T)).toBe('noise');
    expect(verdictOf(0, 0, 1000, T)).toBe('noise');
  });

  it('needs the excess ratio strictly above the threshold', () => {
    // (60-40)/(60+40) = 20%: not above 20%.
    expect(verdictOf(60, 40, 1000, T)).toBe('noise');
    expect(verdictOf(61, 40, 1000, T)).toBe('regression');
  });

  it('needs the excess share of all compared requests strictly above the threshold', () => {
    // (r-n)/T = 3/10000 = 0.03%: not above.
    expect(verdictOf(3, 0, 10_000, T)).toBe('noise');
    expect(verdictOf(4, 0, 10_000, T)).toBe('regression');
  });

  it('takes configured thresholds', () => {
    const strict = { minExcessRatio: 50, minExcessShare: 1, minCompared: 100 };
    expect(verdictOf(100, 50, 1000, strict)).toBe('noise'); // 33% ratio
    expect(verdictOf(9, 0, 1000, strict)).toBe('noise'); // 0.9% share
    expect(verdictOf(11, 0, 1000, strict)).toBe('regression');
    expect(verdictOf(11, 0, 99, strict)).toBe('unknown');
  });

  it('scales noise measured on a sample of the requests to all of them', () => {
    // 10 noise calls out of 100 compared saw the group 5 times: as if 50 of 100.
    expect(verdictOf(50, 5, 100, T)).toBe('regression');
    expect(verdictOf(50, 5, 100, T, 10)).toBe('noise');
    expect(verdictOf(80, 5, 100, T, 10)).toBe('regression');
    expect(verdictOf(50, 0, 100, T, 0)).toBe('regression');
  });

  it('is unknown for counts that are not counts', () => {
    expect(verdictOf(Number.NaN, 0, 100, T)).toBe('unknown');
    expect(verdictOf(1, -1, 100, T)).toBe('unknown');
    expect(verdictOf(1, 0, Number.POSITIVE_INFINITY, T)).toBe('unknown');
  });
});

describe('groupsOf and signatureOf', () => {
  const d = (path: string, kind: Difference['kind'] = 'changed'): Difference => ({ path, kind });

  it('groups by path with indices as [*], and by kind, without repeats', () => {
    expect(groupsOf([d('$.items[3].price'), d('$.items[7].price'), d('$.items[7].price', 'type'), d('status'), d('header:vary', 'missing')])).toEqual([
      { group: '$.items[*].price', kind: 'changed' },
      { group: '$.items[*].price', kind: 'type' },
      { group: 'header:vary', kind: 'missing' },
      { group: 'status', kind: 'changed' },
    ]);
  });

  it('is empty for no differences', () => {
    expect(groupsOf([])).toEqual([]);
    expect(signatureOf([])).toBe('');
  });

  it('is stable: the same groups give the same short signature, whatever order, count or index', () => {
    const a = signatureOf([d('$.items[3].price'), d('status')]);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(signatureOf([d('status'), d('$.items[0].price'), d('$.items[9].price')])).toBe(a);
    expect(signatureOf([d('$.items[3].price', 'type'), d('status')])).not.toBe(a);
    expect(signatureOf([d('$.items[3].cost'), d('status')])).not.toBe(a);
    // A fixed value: signatures are stored, so they must not change between versions by accident.
    expect(signatureOf([d('status')])).toBe('8e3210c221685095');
  });

  it('leaves the "more differences" marker out', () => {
    expect(groupsOf([d('$.a'), { ...MORE_DIFFERENCES }])).toEqual([{ group: '$.a', kind: 'changed' }]);
    expect(signatureOf([d('$.a'), { ...MORE_DIFFERENCES }])).toBe(signatureOf([d('$.a')]));
  });
});

describe('redactHeaders', () => {
  it('replaces the values of Authorization, Proxy-Authorization, Cookie and Set-Cookie, whatever their case', () => {
    const raw = ['Authorization', 'Bearer abc', 'cookie', 's=1', 'SET-COOKIE', 'a=1', 'Set-Cookie', 'b=2', 'Proxy-Authorization', 'Basic x', 'X-Other', 'keep'];
    expect(redactHeaders(raw)).toEqual(['Authorization', REDACTED, 'cookie', REDACTED, 'SET-COOKIE', REDACTED, 'Set-Cookie', REDACTED, 'Proxy-Authorization', REDACTED, 'X-Other', 'keep']);
    expect(raw[1]).toBe('Bearer abc');
  });

  it('also redacts header: entries of the route', () => {
    expect(redactHeaders(['X-Api-Key', 'k', 'X-Other', 'o'], ['header:x-api-key', '$.password'])).toEqual(['X-Api-Key', REDACTED, 'X-Other', 'o']);
  });
});

describe('redactBody', () => {
  const JSON_CT = 'application/json';
  const redact = (body: unknown, paths: string[] = [], ct = JSON_CT) => redactBody(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), ct, paths);
  const parsed = (r: { body: string }) => JSON.parse(r.body) as unknown;

  it('replaces values at the route paths, $.password and $..ssn at any depth', () => {
    const r = redact({ user: 'ann', password: 'x', people: [{ ssn: '1', name: 'a' }, { ssn: '2' }], nested: { deep: { ssn: 3 } } }, ['$.password', '$..ssn']);
    expect(parsed(r)).toEqual({ user: 'ann', password: REDACTED, people: [{ ssn: REDACTED, name: 'a' }, { ssn: REDACTED }], nested: { deep: { ssn: REDACTED } } });
    expect(r).toMatchObject({ redacted: true, truncated: false, encoding: 'text' });
  });

  it('replaces whole subtrees and array elements', () => {
    expect(parsed(redact({ card: { number: '4111', cvc: '1' }, list: ['a', 'b'] }, ['$.card', '$.list[1]']))).toEqual({ card: REDACTED, list: ['a', REDACTED] });
  });

  it('always redacts members named like passwords, secrets, tokens and API keys', () => {
    const body = { password: 'a', newPassword: 'b', client_secret: 'c', accessToken: 'd', 'x-api-key': 'e', apiKey: 'f', token: 'g', tokenType: 'bearer', secretary: 'h' };
    expect(parsed(redact(body))).toEqual({ password: REDACTED, newPassword: REDACTED, client_secret: REDACTED, accessToken: REDACTED, 'x-api-key': REDACTED, apiKey: REDACTED, token: REDACTED, tokenType: 'bearer', secretary: 'h' });
  });

  it('redacts the whole document for $', () => {
    expect(redact({ a: 1 }, ['$'])).toEqual({ body: JSON.stringify(REDACTED), truncated: false, redacted: true, encoding: 'text' });
  });

  it('reads a bare name as that member at any depth', () => {
    expect(parsed(redact({ a: { ssn: 1 }, ssn: 2 }, ['ssn']))).toEqual({ a: { ssn: REDACTED }, ssn: REDACTED });
  });

  it('keeps a body with nothing to redact exactly as written', () => {
    const text = '{ "b": 1,\n  "a": 1.50 }';
    expect(redact(text, ['$.password'])).toEqual({ body: text, truncated: false, redacted: false, encoding: 'text' });
  });

  it('keeps long numerals as written when re-serialising', () => {
    expect(redact('{"id":12345678901234567891,"password":"x"}').body).toBe('{"id":12345678901234567891,"password":"[redacted]"}');
  });

  it('caps bodies at 64 KiB, after redacting, never splitting a character', () => {
    const big = { password: 'x', filler: 'é'.repeat(40_000) };
    const r = redact(big);
    expect(r.truncated).toBe(true);
    expect(r.redacted).toBe(true);
    expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(65536);
    expect(Buffer.byteLength(r.body)).toBeGreaterThan(65530);
    expect(r.body).not.toContain('\uFFFD');
    expect(r.body.startsWith('{"password":"[redacted]"')).toBe(true);
    const small = redactBody(Buffer.from('abcdef'), 'text/plain', [], 4);
    expect(small).toEqual({ body: 'abcd', truncated: true, redacted: false, encoding: 'text' });
  });

  it('redacts declared JSON that does not parse by its "name": value pairs', () => {
    const r = redact('{"user":"a","password":"se\\"cret","ssn": 123, "pin": 1', ['$..ssn']);
    expect(r.body).toBe('{"user":"a","password":"[redacted]","ssn": "[redacted]", "pin": 1');
    expect(r.redacted).toBe(true);
  });

  it('in broken JSON, replaces a selected object or array whole, or everything after it when it is cut off', () => {
    expect(redact('{"card": {"number": "4111", "x": [1, "}"]}, "ok": 1,', ['$.card']).body).toBe('{"card": "[redacted]", "ok": 1,');
    expect(redact('{"a":1,"secret":{"k":"v","more', []).body).toBe('{"a":1,"secret":"[redacted]"');
  });

  it('redacts sniffed JSON without a content type', () => {
    expect(JSON.parse(redactBody(Buffer.from('{"password":"x"}'), undefined, []).body)).toEqual({ password: REDACTED });
  });

  it('redacts form bodies by field name, keeping the rest as written', () => {
    const r = redact('user=ann&password=p%40ss&ssn=1&next=%2Fhome', ['$.ssn'], 'application/x-www-form-urlencoded');
    expect(r).toEqual({ body: `user=ann&password=${REDACTED}&ssn=${REDACTED}&next=%2Fhome`, truncated: false, redacted: true, encoding: 'text' });
  });

  it('redacts JSON-looking pairs in text bodies', () => {
    expect(redact('log: {"token": "abc"} done', [], 'text/plain').body).toBe(`log: {"token": "${REDACTED}"} done`);
    expect(redact('<p>hello</p>', [], 'text/html')).toEqual({ body: '<p>hello</p>', truncated: false, redacted: false, encoding: 'text' });
  });

  it('undoes the content encoding first, so compressed secrets are found', () => {
    const r = redactBody(gzipSync(Buffer.from('{"password":"x","a":1}')), JSON_CT, [], 65536, 'gzip');
    expect(JSON.parse(r.body)).toEqual({ password: REDACTED, a: 1 });
  });

  it('does not store a body it cannot decode', () => {
    const r = redactBody(Buffer.from('garbage with password=x'), JSON_CT, [], 65536, 'gzip');
    expect(r.body).not.toContain('password');
    expect(r).toMatchObject({ truncated: true, redacted: true });
  });

  it('stores binary bodies as base64, capped so the text fits', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
    expect(redactBody(bytes, 'image/png', [])).toEqual({ body: bytes.toString('base64'), truncated: false, redacted: false, encoding: 'base64' });
    const big = redactBody(Buffer.alloc(100_000, 1), 'application/octet-stream', [], 1024);
    expect(big.truncated).toBe(true);
    expect(big.body.length).toBeLessThanOrEqual(1024);
    expect(Buffer.from(big.body, 'base64').length).toBe(768);
  });
});

describe('redactUrl', () => {
  it('redacts sensitive query parameters and the route names, keeping the rest', () => {
    expect(redactUrl('/cb?code=1&access_token=abc&state=x#frag')).toBe(`/cb?code=1&access_token=${REDACTED}&state=x#frag`);
    expect(redactUrl('/p?ssn=1&q=2', ['ssn'])).toBe(`/p?ssn=${REDACTED}&q=2`);
    expect(redactUrl('/plain')).toBe('/plain');
  });
});
