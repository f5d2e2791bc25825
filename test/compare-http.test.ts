import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeContent } from '../src/shadow/body-decode.js';
import { compareResponses } from '../src/shadow/compare.js';
import { headerDifferences, SKIPPED_HEADERS } from '../src/shadow/header-diff.js';
import { contentTypeKey } from '../src/shadow/media-type.js';
import { textChange } from '../src/shadow/text-diff.js';
import type { CapturedResponse } from '../src/shadow/types.js';

function res(status: number, headers: string[], body: Buffer | string = ''): CapturedResponse {
  return { status, headers, body: typeof body === 'string' ? Buffer.from(body) : body, truncated: false };
}

const JSON_CT = ['Content-Type', 'application/json'];
const json = (body: unknown, headers: string[] = []) => res(200, [...JSON_CT, ...headers], JSON.stringify(body));
const text = (body: string | Buffer, type = 'text/plain; charset=utf-8', headers: string[] = []) => res(200, ['Content-Type', type, ...headers], body);

describe('status', () => {
  it('equal statuses match', () => {
    expect(compareResponses(res(204, []), res(204, []))).toEqual({ outcome: 'match', differences: [] });
  });

  it('a different status is a difference, even in the same class', () => {
    expect(compareResponses(res(200, []), res(201, [])).differences).toEqual([{ path: 'status', kind: 'changed' }]);
    expect(compareResponses(res(301, []), res(302, [])).differences).toEqual([{ path: 'status', kind: 'changed' }]);
    expect(compareResponses(res(200, []), res(500, []))).toEqual({ outcome: 'differ', differences: [{ path: 'status', kind: 'changed' }] });
  });
});

describe('headers', () => {
  it('by lower-cased name: only legacy is missing, only the service is extra, another value is changed', () => {
    const legacy = res(200, ['X-Only-Legacy', '1', 'X-Both', 'a', 'cache-status', 'hit']);
    const other = res(200, ['x-both', 'b', 'X-Only-Service', '1', 'Cache-Status', 'hit']);
    expect(compareResponses(legacy, other).differences).toEqual([
      { path: 'header:x-both', kind: 'changed' },
      { path: 'header:x-only-legacy', kind: 'missing' },
      { path: 'header:x-only-service', kind: 'extra' },
    ]);
  });

  it('compares values as received apart from surrounding white space; case in values matters', () => {
    expect(headerDifferences(['X-A', ' v '], ['x-a', 'v'])).toEqual([]);
    expect(headerDifferences(['X-A', 'Yes'], ['x-a', 'yes'])).toEqual([{ path: 'header:x-a', kind: 'changed' }]);
  });

  it.each([...SKIPPED_HEADERS])('skips %s by default', (name) => {
    expect(headerDifferences([name, 'one'], [name, 'two'])).toEqual([]);
    expect(headerDifferences([name, 'one'], [])).toEqual([]);
  });

  it('skips the issue list of framing and per-response headers', () => {
    for (const name of ['date', 'server', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'etag', 'last-modified', 'age', 'x-request-id', 'traceparent']) {
      expect(SKIPPED_HEADERS.has(name), name).toBe(true);
    }
    const legacy = res(200, ['Date', 'Mon, 01 Jan 2024 00:00:00 GMT', 'Server', 'IIS', 'Content-Length', '10', 'X-Request-Id', 'a', 'Traceparent', '00-a-b-01', 'Age', '3']);
    const other = res(200, ['Date', 'Mon, 01 Jan 2024 00:00:01 GMT', 'Server', 'node', 'Transfer-Encoding', 'chunked', 'X-Request-Id', 'b', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5']);
    expect(compareResponses(legacy, other).outcome).toBe('match');
  });

  it('joins repeated lines before comparing, as HTTP does', () => {
    expect(headerDifferences(['Link', '<a>', 'Link', '<b>'], ['link', '<a>, <b>'])).toEqual([]);
    expect(headerDifferences(['Link', '<a>', 'Link', '<b>'], ['link', '<b>, <a>'])).toEqual([{ path: 'header:link', kind: 'changed' }]);
  });

  it('compares Set-Cookie lines as a set: their order means nothing', () => {
    expect(headerDifferences(['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'], ['set-cookie', 'b=2', 'set-cookie', 'a=1'])).toEqual([]);
    expect(headerDifferences(['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'], ['set-cookie', 'a=1'])).toEqual([{ path: 'header:set-cookie', kind: 'changed' }]);
  });

  it('compares Vary as a case-insensitive token set', () => {
    expect(headerDifferences(['Vary', 'Accept-Encoding, Origin'], ['vary', 'origin,accept-encoding'])).toEqual([]);
    expect(headerDifferences(['Vary', 'Accept-Encoding', 'Vary', 'Origin'], ['vary', 'Origin, Accept-Encoding, origin'])).toEqual([]);
    expect(headerDifferences(['Vary', 'Accept-Encoding, Origin'], ['vary', 'Origin'])).toEqual([{ path: 'header:vary', kind: 'changed' }]);
    expect(headerDifferences(['Vary', '*'], ['vary', 'Origin'])).toEqual([{ path: 'header:vary', kind: 'changed' }]);
    expect(headerDifferences(['Vary', 'Origin'], [])).toEqual([{ path: 'header:vary', kind: 'missing' }]);
  });

  it('compares Allow and CORS lists as token sets, Cache-Control as a directive set', () => {
    expect(headerDifferences(['Allow', 'GET, HEAD'], ['allow', 'HEAD,GET'])).toEqual([]);
    expect(headerDifferences(['Access-Control-Allow-Headers', 'X-A, Content-Type'], ['access-control-allow-headers', 'content-type, x-a'])).toEqual([]);
    expect(headerDifferences(['Cache-Control', 'no-cache, max-age=0'], ['cache-control', 'Max-Age="0", no-cache'])).toEqual([]);
    expect(headerDifferences(['Cache-Control', 'max-age=60'], ['cache-control', 'max-age=30'])).toEqual([{ path: 'header:cache-control', kind: 'changed' }]);
  });

  it('never reports a weak against a strong ETag; when ETags are compared at all, it is by weak comparison', () => {
    const legacy = json({ a: 1 }, ['ETag', 'W/"abc"']);
    const other = json({ a: 1 }, ['ETag', '"abc"']);
    expect(compareResponses(legacy, other)).toEqual({ outcome: 'match', differences: [] });
    const compareEtags = { skipped: new Set<string>() };
    expect(headerDifferences(['ETag', 'W/"abc"'], ['etag', '"abc"'], compareEtags)).toEqual([]);
    expect(headerDifferences(['ETag', 'W/"abc"'], ['etag', 'W/"abd"'], compareEtags)).toEqual([{ path: 'header:etag', kind: 'changed' }]);
  });
});

describe('content-type', () => {
  it('compares by media type and charset only', () => {
    expect(contentTypeKey('Application/JSON;charset=UTF-8')).toBe(contentTypeKey('application/json; charset=utf-8'));
    expect(contentTypeKey('text/html; charset=utf8')).toBe(contentTypeKey('text/html;charset="UTF-8"'));
    expect(contentTypeKey('text/plain; charset=latin1')).toBe(contentTypeKey('text/plain; charset=ISO-8859-1'));
    expect(contentTypeKey('multipart/mixed; boundary=abc')).toBe(contentTypeKey('multipart/mixed; boundary=xyz'));
    expect(contentTypeKey('text/html; q=1; level=2')).toBe(contentTypeKey('text/html'));
  });

  it('JSON is UTF-8 by definition: a missing charset equals utf-8', () => {
    expect(headerDifferences(['Content-Type', 'application/json'], ['content-type', 'application/json; charset=utf-8'])).toEqual([]);
    expect(headerDifferences(['Content-Type', 'application/problem+json'], ['content-type', 'application/problem+json;charset=UTF-8'])).toEqual([]);
  });

  it('reports another media type, another charset, or a charset given on one side only (outside JSON)', () => {
    const ct = (a: string, b: string) => headerDifferences(['Content-Type', a], ['Content-Type', b]);
    expect(ct('application/json', 'text/plain')).toEqual([{ path: 'header:content-type', kind: 'changed' }]);
    expect(ct('text/html; charset=utf-8', 'text/html; charset=iso-8859-1')).toEqual([{ path: 'header:content-type', kind: 'changed' }]);
    expect(ct('text/html; charset=utf-8', 'text/html')).toEqual([{ path: 'header:content-type', kind: 'changed' }]);
    expect(headerDifferences(['Content-Type', 'text/html'], [])).toEqual([{ path: 'header:content-type', kind: 'missing' }]);
  });
});

describe('content-encoding', () => {
  const body = JSON.stringify({ items: [{ id: 1, name: 'café' }], n: 1 });

  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
    ['br', brotliCompressSync],
  ] as const)('undoes %s for the comparison: it matches the identity answer', (coding, encode) => {
    const legacy = json(JSON.parse(body), ['Content-Encoding', coding, 'Vary', 'Accept-Encoding']);
    legacy.body = encode(Buffer.from(body));
    const other = json(JSON.parse(body), ['Vary', 'Accept-Encoding']);
    expect(compareResponses(legacy, other)).toEqual({ outcome: 'match', differences: [] });
    expect(compareResponses(other, legacy)).toEqual({ outcome: 'match', differences: [] });
  });

  it('undoes stacked codings in reverse order, identity being none', () => {
    const legacy = res(200, [...JSON_CT, 'Content-Encoding', 'gzip, br'], brotliCompressSync(gzipSync(Buffer.from(body))));
    const other = res(200, [...JSON_CT, 'Content-Encoding', 'identity'], body);
    expect(compareResponses(legacy, other).outcome).toBe('match');
  });

  it('finds differences inside a compressed body', () => {
    const legacy = res(200, [...JSON_CT, 'Content-Encoding', 'gzip'], gzipSync(Buffer.from('{"price":1}')));
    const other = res(200, [...JSON_CT, 'Content-Encoding', 'br'], brotliCompressSync(Buffer.from('{"price":2}')));
    expect(compareResponses(legacy, other)).toEqual({ outcome: 'differ', differences: [{ path: '$.price', kind: 'changed' }] });
  });

  it('a body that does not decode is unparseable, and the status and header differences are still listed', () => {
    const legacy = json({ a: 1 });
    const other = res(500, [...JSON_CT, 'Content-Encoding', 'gzip', 'X-Extra', '1'], Buffer.from('not gzip at all'));
    const result = compareResponses(legacy, other);
    expect(result.outcome).toBe('unparseable');
    expect(result.differences).toEqual([
      { path: 'status', kind: 'changed' },
      { path: 'header:x-extra', kind: 'extra' },
    ]);
    expect(result.detail).toMatch(/^other: gzip body does not decode/);
    const cut = gzipSync(Buffer.from(body));
    expect(compareResponses(res(200, ['Content-Encoding', 'gzip'], cut.subarray(0, cut.length - 6)), json({})).outcome).toBe('unparseable');
  });

  it('a coding it cannot undo matches when both sides sent the same bytes, and is unparseable otherwise', () => {
    const a = res(200, ['Content-Encoding', 'zstd'], Buffer.from([1, 2, 3]));
    expect(compareResponses(a, res(200, ['Content-Encoding', 'zstd'], Buffer.from([1, 2, 3]))).outcome).toBe('match');
    expect(compareResponses(a, res(200, ['Content-Encoding', 'zstd'], Buffer.from([1, 2, 4]))).outcome).toBe('unparseable');
    expect(decodeContent(Buffer.from([1]), 'compress')).toMatchObject({ ok: false, reason: 'unsupported', coding: 'compress' });
  });

  it('a body that decompresses past the limit is too-large, not a memory spike', () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(10_000);
    const legacy = res(200, ['Content-Encoding', 'gzip'], bomb);
    expect(compareResponses(legacy, legacy, undefined, { maxDecodedBytes: 1024 * 1024 }).outcome).toBe('match');
    expect(compareResponses(legacy, res(200, [], 'x'), undefined, { maxDecodedBytes: 1024 * 1024 }).outcome).toBe('too-large');
    expect(decodeContent(bomb, 'gzip', 1024)).toMatchObject({ ok: false, reason: 'too-large' });
    expect(decodeContent(brotliCompressSync(Buffer.alloc(100_000)), 'br', 1024)).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('an empty body under a coding (HEAD, 304) is simply empty', () => {
    expect(compareResponses(res(304, ['Content-Encoding', 'gzip']), res(304, []))).toEqual({ outcome: 'match', differences: [] });
  });
});

describe('truncated bodies', () => {
  it('are too-large on either side, with nothing compared', () => {
    const whole = json({ a: 1 });
    const cut = { ...json({ a: 2 }), truncated: true };
    expect(compareResponses(whole, cut)).toEqual({ outcome: 'too-large', differences: [] });
    expect(compareResponses(cut, whole)).toEqual({ outcome: 'too-large', differences: [] });
  });
});

describe('what a body is read as', () => {
  it('JSON by content type, including +json types', () => {
    expect(compareResponses(res(200, ['Content-Type', 'application/problem+json'], '{"a":1.0}'), res(200, ['Content-Type', 'application/problem+json'], '{"a":1}')).outcome).toBe('match');
  });

  it('JSON sniffed when the content type is absent, text/plain or octet-stream', () => {
    for (const ct of [[], ['Content-Type', 'text/plain'], ['Content-Type', 'application/octet-stream']]) {
      expect(compareResponses(res(200, ct, ' {"b":2,"a":1}'), res(200, ct, '{"a":1.0,"b":2}')).outcome, ct.join()).toBe('match');
      expect(compareResponses(res(200, ct, '[1,2]'), res(200, ct, '[1,3]')).differences, ct.join()).toEqual([{ path: '$[1]', kind: 'changed' }]);
    }
  });

  it('declared JSON that does not parse while the other side parses is unparseable', () => {
    expect(compareResponses(json({ a: 1 }), res(200, JSON_CT, '{"a":')).outcome).toBe('unparseable');
    expect(compareResponses(res(200, JSON_CT, '<html>oops'), json({ a: 1 })).outcome).toBe('unparseable');
  });

  it('declared JSON broken the same way on both sides matches; broken differently is a text difference', () => {
    expect(compareResponses(res(200, JSON_CT, '{"a":'), res(200, JSON_CT, '{"a":')).outcome).toBe('match');
    expect(compareResponses(res(200, JSON_CT, '{"a":'), res(200, JSON_CT, '{"b":')).differences).toEqual([{ path: 'body', kind: 'changed' }]);
  });

  it('JSON against something else is a body type difference (and a content-type one)', () => {
    expect(compareResponses(json({ a: 1 }), res(200, ['Content-Type', 'text/html'], '<h1>Error</h1>')).differences).toEqual([
      { path: 'header:content-type', kind: 'changed' },
      { path: 'body', kind: 'type' },
    ]);
  });

  it('the same bytes under another content type are no body difference', () => {
    expect(compareResponses(json({ a: 1 }), res(200, ['Content-Type', 'text/plain'], '{"a":1}')).differences).toEqual([{ path: 'header:content-type', kind: 'changed' }]);
  });

  it('an empty body against a body is missing or extra', () => {
    expect(compareResponses(json({ a: 1 }), res(200, JSON_CT, '')).differences).toEqual([{ path: 'body', kind: 'missing' }]);
    expect(compareResponses(res(200, JSON_CT, ''), json({ a: 1 })).differences).toEqual([{ path: 'body', kind: 'extra' }]);
  });

  it('decodes text in its declared charset before comparing', () => {
    const latin1 = res(200, ['Content-Type', 'application/json; charset=iso-8859-1'], Buffer.from('{"name":"café"}', 'latin1'));
    const utf8 = res(200, ['Content-Type', 'application/json; charset=utf-8'], Buffer.from('{"name":"café"}', 'utf8'));
    expect(compareResponses(latin1, utf8).differences).toEqual([{ path: 'header:content-type', kind: 'changed' }]);
    const t1 = text(Buffer.from('crème\n', 'latin1'), 'text/plain; charset=latin1');
    const t2 = text(Buffer.from('crème\n', 'utf8'), 'text/plain; charset=utf-8');
    expect(compareResponses(t1, t2).differences).toEqual([{ path: 'header:content-type', kind: 'changed' }]);
  });

  it('a UTF-8 byte-order mark is not content', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
    expect(compareResponses(res(200, JSON_CT, bom), json({ a: 1 })).outcome).toBe('match');
    expect(compareResponses(res(200, [], bom), res(200, [], '{"a":1}')).outcome).toBe('match');
  });
});

describe('text bodies, by lines', () => {
  it('added lines are extra, removed lines missing, replaced lines changed', () => {
    expect(compareResponses(text('a\nb\n'), text('a\nb\nc\n')).differences).toEqual([{ path: 'body', kind: 'extra' }]);
    expect(compareResponses(text('a\nb\nc\n'), text('a\nc\n')).differences).toEqual([{ path: 'body', kind: 'missing' }]);
    expect(compareResponses(text('<p>a</p>\n<p>b</p>\n', 'text/html'), text('<p>a</p>\n<p>B</p>\n', 'text/html')).differences).toEqual([{ path: 'body', kind: 'changed' }]);
  });

  it('CRLF and LF line endings are the same text', () => {
    expect(compareResponses(text('a\r\nb\r\n'), text('a\nb\n')).outcome).toBe('match');
    expect(textChange('a\r\nb', 'a\nb')).toBeNull();
  });

  it('counts the lines, and gives up on bodies too far apart, calling them changed', () => {
    expect(textChange('a\nb\nc\n', 'a\nx\nc\nd\n')).toEqual({ kind: 'changed', removed: 1, added: 2 });
    const many = (p: string) => Array.from({ length: 500 }, (_, i) => `${p}${i}`).join('\n');
    expect(textChange(many('a'), many('b'), 100)).toEqual({ kind: 'changed', removed: -1, added: -1 });
    // Uncounted, the kind is still exact.
    expect(textChange(`${many('a')}\n`, `${many('a')}\n${many('b')}`, 100)).toEqual({ kind: 'extra', removed: -1, added: -1 });
    expect(textChange(`${many('b')}\n${many('a')}`, many('a'), 100)).toEqual({ kind: 'missing', removed: -1, added: -1 });
  });

  it('a last line without its line break is another line, counted or not', () => {
    expect(textChange('a\nb', 'a\nb\nc')).toEqual({ kind: 'changed', removed: 1, added: 2 });
    expect(textChange('a\nb', 'a\nb\nc', 0)).toEqual({ kind: 'changed', removed: -1, added: -1 });
    expect(textChange('a\nb\n', 'a\nb\nc', 0)).toEqual({ kind: 'extra', removed: -1, added: -1 });
  });

  it('reads undeclared UTF-8 without control characters as text', () => {
    expect(compareResponses(res(200, [], 'hello\nworld\n'), res(200, [], 'hello\nworld\nagain\n')).differences).toEqual([{ path: 'body', kind: 'extra' }]);
  });
});

describe('other bodies, by bytes', () => {
  const png = (last: number) => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, last]);

  it('equal bytes match, other bytes are a body change', () => {
    expect(compareResponses(res(200, ['Content-Type', 'image/png'], png(1)), res(200, ['Content-Type', 'image/png'], png(1))).outcome).toBe('match');
    expect(compareResponses(res(200, ['Content-Type', 'image/png'], png(1)), res(200, ['Content-Type', 'image/png'], png(2))).differences).toEqual([{ path: 'body', kind: 'changed' }]);
    expect(compareResponses(res(200, [], png(1)), res(200, [], png(2))).differences).toEqual([{ path: 'body', kind: 'changed' }]);
    // Declared binary is binary, even when it looks like text.
    expect(compareResponses(res(200, ['Content-Type', 'application/pdf'], 'a\nb'), res(200, ['Content-Type', 'application/pdf'], 'a\nc')).differences).toEqual([{ path: 'body', kind: 'changed' }]);
  });

  it('binary against text is a body type difference', () => {
    expect(compareResponses(res(200, ['Content-Type', 'image/png'], png(1)), text('not found')).differences).toEqual([
      { path: 'header:content-type', kind: 'changed' },
      { path: 'body', kind: 'type' },
    ]);
  });
});

describe('a whole exchange', () => {
  it('lists status, then headers, then the body, each sorted', () => {
    const legacy = res(200, ['Content-Type', 'application/json', 'X-B', '1', 'X-A', '1'], '{"z":1,"a":{"b":[1,2]}}');
    const other = res(202, ['Content-Type', 'application/json', 'X-B', '2'], '{"z":2,"a":{"b":[1,2,3]}}');
    expect(compareResponses(legacy, other)).toEqual({
      outcome: 'differ',
      differences: [
        { path: 'status', kind: 'changed' },
        { path: 'header:x-a', kind: 'missing' },
        { path: 'header:x-b', kind: 'changed' },
        { path: '$.a.b', kind: 'length' },
        { path: '$.z', kind: 'changed' },
      ],
    });
  });
});
