import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/router/proxy.js';
import {
  RawClient,
  deferred,
  echo,
  get,
  headerValues,
  pairs,
  parseResponse,
  proxyFor,
  rawExchange,
  startRawUpstream,
  startUpstream,
  type Upstream,
} from './helpers/transparency-upstream.js';

/**
 * The proxy must be invisible: what the client sends reaches the upstream,
 * and what the upstream answers reaches the client, byte for byte where
 * HTTP allows, with only the hop-by-hop changes RFC 9110 asks of a gateway.
 */

let up: Upstream;
let proxy: RunningProxy;
const extra: RunningProxy[] = [];

beforeAll(async () => {
  up = await startUpstream();
  proxy = await proxyFor(up.url);
});

afterEach(async () => {
  up.handle = echo;
  up.seen.length = 0;
  await Promise.all(extra.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

const lastSeen = () => {
  const s = up.seen.at(-1);
  if (!s) throw new Error('the upstream saw no request');
  return s;
};
const seenHeaders = (name: string) =>
  pairs(lastSeen().rawHeaders)
    .filter(([n]) => n.toLowerCase() === name.toLowerCase())
    .map(([, v]) => v);

describe('status line', () => {
  it.each([200, 201, 202, 203, 206, 299, 400, 404, 410, 418, 422, 429, 451, 500, 503, 599])('status %i passes through', async (status) => {
    up.handle = (_req, res) => {
      res.writeHead(status, { 'content-length': '4' });
      res.end('body');
    };
    const r = await rawExchange(proxy.port, get('/status'));
    expect(r.status).toBe(status);
    expect(r.body.toString()).toBe('body');
  });

  it.each([204, 304])('status %i passes through with no body', async (status) => {
    up.handle = (_req, res) => {
      res.writeHead(status, { etag: '"v1"' });
      res.end();
    };
    const c = await RawClient.connect(proxy.port);
    await c.write(get('/nobody'));
    const r = await c.readResponse();
    expect(r.status).toBe(status);
    expect(headerValues(r, 'etag')).toEqual(['"v1"']);
    expect(headerValues(r, 'transfer-encoding')).toEqual([]);
    // No stray body bytes: the next response on the connection parses cleanly.
    up.handle = echo;
    await c.write(get('/after'));
    const next = await c.readResponse();
    expect(next.status).toBe(200);
    expect(next.body.toString()).toBe('GET /after');
    c.destroy();
  });

  it('keeps a custom reason phrase', async () => {
    up.handle = (_req, res) => {
      res.writeHead(299, 'Totally Custom Reason', { 'content-length': '0' });
      res.end();
    };
    const r = await rawExchange(proxy.port, get('/reason'));
    expect(r.statusLine).toBe('HTTP/1.1 299 Totally Custom Reason');

    up.handle = (_req, res) => {
      res.writeHead(200, 'Order Accepted', { 'content-length': '0' });
      res.end();
    };
    expect((await rawExchange(proxy.port, get('/reason'))).statusLine).toBe('HTTP/1.1 200 Order Accepted');
  });
});

describe('headers', () => {
  it('keeps duplicate response headers and three Set-Cookie as separate lines, in order', async () => {
    up.handle = (_req, res) => {
      res.writeHead(200, [
        'Set-Cookie', 'a=1; Path=/',
        'X-Dup', 'one',
        'Set-Cookie', 'b=2; HttpOnly; Secure',
        'X-Dup', 'two',
        'Set-Cookie', 'c=3; Expires=Wed, 21 Oct 2037 07:28:00 GMT',
        'Content-Length', '2',
      ]);
      res.end('ok');
    };
    const r = await rawExchange(proxy.port, get('/cookies'));
    expect(r.status).toBe(200);
    expect(r.headers.filter(([n]) => n === 'Set-Cookie' || n === 'X-Dup')).toEqual([
      ['Set-Cookie', 'a=1; Path=/'],
      ['X-Dup', 'one'],
      ['Set-Cookie', 'b=2; HttpOnly; Secure'],
      ['X-Dup', 'two'],
      ['Set-Cookie', 'c=3; Expires=Wed, 21 Oct 2037 07:28:00 GMT'],
    ]);
    expect(r.head).toContain('\r\nSet-Cookie: a=1; Path=/\r\nX-Dup: one\r\nSet-Cookie: b=2; HttpOnly; Secure\r\n');
  });

  it('keeps the case of header names and values, both ways', async () => {
    up.handle = (_req, res) => {
      res.writeHead(200, ['X-Mixed-Back', 'QwE rTy', 'ETag', 'W/"AbC"', 'Content-Length', '0']);
      res.end();
    };
    const r = await rawExchange(proxy.port, get('/case', [['X-Mixed', 'AbC dEf'], ['x-lower', 'MiXeD VaLuE']]));
    expect(pairs(lastSeen().rawHeaders)).toContainEqual(['X-Mixed', 'AbC dEf']);
    expect(pairs(lastSeen().rawHeaders)).toContainEqual(['x-lower', 'MiXeD VaLuE']);
    expect(r.head).toContain('\r\nX-Mixed-Back: QwE rTy\r\n');
    expect(r.head).toContain('\r\nETag: W/"AbC"\r\n');
  });

  it('passes header bytes outside ASCII (obs-text) through unchanged, both ways', async () => {
    const latin = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1
    up.handle = (req, res) => {
      res.writeHead(200, ['X-Back', req.headers['x-latin'] as string, 'Content-Length', '0']);
      res.end();
    };
    const r = await rawExchange(proxy.port, Buffer.concat([Buffer.from('GET /obs HTTP/1.1\r\nHost: a\r\nX-Latin: '), latin, Buffer.from('\r\n\r\n')]));
    expect(Buffer.from(pairs(lastSeen().rawHeaders).find(([n]) => n === 'X-Latin')![1], 'latin1').equals(latin)).toBe(true);
    expect(Buffer.from(headerValues(r, 'x-back')[0]!, 'latin1').equals(latin)).toBe(true);
  });

  it('forwards duplicate request headers as separate fields, in order', async () => {
    await rawExchange(
      proxy.port,
      get('/dup', [
        ['X-Dup', 'one'],
        ['Accept', 'text/html'],
        ['X-Dup', 'two'],
        ['Cookie', 'a=1'],
        ['Cookie', 'b=2'],
      ]),
    );
    const sent = pairs(lastSeen().rawHeaders).filter(([n]) => ['x-dup', 'cookie', 'accept'].includes(n.toLowerCase()));
    expect(sent).toEqual([
      ['X-Dup', 'one'],
      ['Accept', 'text/html'],
      ['X-Dup', 'two'],
      ['Cookie', 'a=1'],
      ['Cookie', 'b=2'],
    ]);
  });

  it('does not add Content-Length or Transfer-Encoding to requests without a body', async () => {
    for (const method of ['GET', 'DELETE', 'OPTIONS', 'HEAD']) {
      const r = await rawExchange(proxy.port, get('/bodiless', [], method), { noBody: method === 'HEAD' });
      expect(r.status).toBe(200);
      expect(lastSeen().method).toBe(method);
      expect(seenHeaders('content-length'), method).toEqual([]);
      expect(seenHeaders('transfer-encoding'), method).toEqual([]);
    }
  });

  it('does not forward hop-by-hop request headers, nor those named in Connection', async () => {
    await rawExchange(
      proxy.port,
      get('/hop', [
        ['Connection', 'close, X-Secret'],
        ['Keep-Alive', 'timeout=99, max=7'],
        ['TE', 'trailers'],
        ['Trailer', 'X-Checksum'],
        ['Upgrade', 'h2c'],
        ['Proxy-Connection', 'keep-alive'],
        ['X-Secret', 's3cret'],
        ['X-Kept', 'yes'],
      ]),
    );
    const names = pairs(lastSeen().rawHeaders).map(([n]) => n.toLowerCase());
    for (const h of ['keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection', 'x-secret']) expect(names, h).not.toContain(h);
    // The proxy's own connection to the upstream may say keep-alive; it must not echo the client's.
    for (const v of seenHeaders('connection')) expect(v.toLowerCase()).not.toMatch(/x-secret|close/);
    expect(seenHeaders('x-kept')).toEqual(['yes']);
  });

  it('does not forward hop-by-hop response headers, nor those named in Connection', async () => {
    // A raw upstream: Node's own server would refuse or rewrite some of these.
    const raw = await startRawUpstream((socket) => {
      let got = '';
      socket.on('data', (c: Buffer) => {
        got += c.toString('latin1');
        if (!got.includes('\r\n\r\n')) return;
        socket.end(
          'HTTP/1.1 200 OK\r\n' +
            'Connection: close, X-Secret\r\n' +
            'Keep-Alive: timeout=99, max=7\r\n' +
            'Trailer: X-Checksum\r\n' +
            'Upgrade: h2c\r\n' +
            'Proxy-Connection: keep-alive\r\n' +
            'TE: trailers\r\n' +
            'X-Secret: hidden\r\n' +
            'X-Kept: yes\r\n' +
            'Content-Length: 2\r\n' +
            '\r\nok',
        );
      });
    });
    const p = await proxyFor(raw.url);
    extra.push(p);
    try {
      const c = await RawClient.connect(p.port);
      await c.write(get('/hop-back'));
      const r = await c.readResponse();
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe('ok');
      const names = r.headers.map(([n]) => n.toLowerCase());
      for (const h of ['trailer', 'upgrade', 'proxy-connection', 'te', 'x-secret']) expect(names, h).not.toContain(h);
      expect(r.head).not.toContain('timeout=99');
      for (const v of headerValues(r, 'connection')) expect(v.toLowerCase()).not.toMatch(/x-secret|close/);
      expect(headerValues(r, 'x-kept')).toEqual(['yes']);
      // The upstream closing its connection is no reason to close the client's.
      await c.write(get('/again'));
      expect((await c.readResponse()).status).toBe(200);
      expect(c.ended).toBe(false);
      c.destroy();
    } finally {
      await raw.close();
    }
  });
});

describe('request target', () => {
  it.each([
    '//double//slashes//',
    '/a%2Fb/c',
    '/%6Frders/7',
    '/x/%2e%2e/y',
    '/x/%2E%2E%2Fetc%2Fpasswd',
    '/x/../y/./z',
    '/caf%C3%A9/%7Euser/%20space',
    '/search?q=a+b&q=%2F&empty=&=v&flag&x=%E2%9C%93&semi;colon',
    '/?',
    '/p?a=1&&b=2#',
  ])('reaches the upstream byte-identical: %s', async (target) => {
    const r = await rawExchange(proxy.port, get(target));
    expect(r.status).toBe(200);
    expect(lastSeen().url).toBe(target);
  });

  it('returns a redirect instead of following it', async () => {
    let followed = 0;
    up.handle = (req, res) => {
      if (req.url === '/elsewhere') followed++;
      res.writeHead(req.url === '/elsewhere' ? 200 : 302, { location: '/elsewhere', 'content-length': '0' });
      res.end();
    };
    const r = await rawExchange(proxy.port, get('/moved'));
    expect(r.status).toBe(302);
    expect(headerValues(r, 'location')).toEqual(['/elsewhere']);
    expect(followed).toBe(0);
  });
});

describe('bodies', () => {
  it('passes a gzip body through byte-identical, not decoded', async () => {
    const gz = gzipSync(Buffer.from('{"hello":"world"}'.repeat(200)));
    up.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gz.length });
      res.end(gz);
    };
    const r = await rawExchange(proxy.port, get('/gz', [['Accept-Encoding', 'gzip']]));
    expect(seenHeaders('accept-encoding')).toEqual(['gzip']);
    expect(headerValues(r, 'content-encoding')).toEqual(['gzip']);
    expect(headerValues(r, 'content-length')).toEqual([String(gz.length)]);
    expect(r.body.equals(gz)).toBe(true);
  });

  it('passes a chunked gzip body through without decoding it', async () => {
    const gz = gzipSync(randomBytes(50_000));
    up.handle = (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.write(gz.subarray(0, 1000));
      res.end(gz.subarray(1000));
    };
    const r = await rawExchange(proxy.port, get('/gz-chunked'));
    expect(headerValues(r, 'content-encoding')).toEqual(['gzip']);
    expect(r.body.equals(gz)).toBe(true);
  });

  it('streams a 5 MB request body: the upstream sees the start before the client has sent the rest', async () => {
    const total = 5 * 1024 * 1024;
    const body = randomBytes(total);
    const firstArrived = deferred();
    let received = 0;
    const hash = createHash('sha256');
    up.handle = (req, res) => {
      req.on('data', (c: Buffer) => {
        received += c.length;
        hash.update(c);
        firstArrived.resolve();
      });
      req.on('end', () => {
        const digest = hash.digest('hex');
        res.writeHead(200, { 'content-length': Buffer.byteLength(digest) });
        res.end(digest);
      });
    };
    const c = await RawClient.connect(proxy.port);
    await c.write(`POST /upload HTTP/1.1\r\nHost: app.example\r\nContent-Type: application/octet-stream\r\nContent-Length: ${total}\r\n\r\n`);
    await c.write(body.subarray(0, 64 * 1024));
    await Promise.race([
      firstArrived.promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error('the upstream saw nothing of the body before the client finished: buffered?')), 5_000)),
    ]);
    expect(received).toBeLessThan(total);
    await c.write(body.subarray(64 * 1024));
    const r = await c.readResponse({ timeoutMs: 15_000 });
    c.destroy();
    expect(r.status).toBe(200);
    expect(received).toBe(total);
    expect(r.body.toString()).toBe(createHash('sha256').update(body).digest('hex'));
    expect(seenHeaders('content-length')).toEqual([String(total)]);
  });

  it('streams a chunked request body of unknown length', async () => {
    const firstArrived = deferred();
    up.handle = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => {
        chunks.push(c);
        firstArrived.resolve();
      });
      req.on('end', () => {
        const b = Buffer.concat(chunks);
        res.writeHead(200, { 'content-length': b.length });
        res.end(b);
      });
    };
    const c = await RawClient.connect(proxy.port);
    await c.write('POST /chunked HTTP/1.1\r\nHost: app.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    await firstArrived.promise;
    await c.write('6\r\n world\r\n0\r\n\r\n');
    const r = await c.readResponse();
    c.destroy();
    expect(r.body.toString()).toBe('hello world');
    expect(lastSeen().body.toString()).toBe('hello world');
  });

  // A body that arrives whole leaves with its header block in one write, as a Latin-1 string: every byte value must survive that.
  it.each([
    ['every byte value, with Content-Length', Buffer.from(Array.from({ length: 512 }, (_, i) => (255 - i) & 0xff)), true],
    ['every byte value, chunked', Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff)), false],
    ['16 KiB + 1 random bytes', randomBytes(16 * 1024 + 1), true],
  ] as const)('passes a binary body that arrives whole byte-identical: %s', async (_name, body, withLength) => {
    up.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', ...(withLength ? { 'content-length': body.length } : {}) });
      res.end(body);
    };
    const r = await rawExchange(proxy.port, get('/binary'));
    expect(r.status).toBe(200);
    expect(headerValues(r, 'content-length')).toEqual(withLength ? [String(body.length)] : []);
    expect(r.body.equals(body)).toBe(true);
  });

  it.each([
    ['chunked', {}],
    // The first chunk is not the whole declared body: it must reach the client without waiting for the rest.
    ['with Content-Length', { 'content-length': String('first-part;second-part'.length) }],
  ])('streams the response (%s): the client gets the first chunk before the upstream ends', async (_framing, length) => {
    const release = deferred();
    up.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', ...length });
      res.write('first-part;');
      void release.promise.then(() => res.end('second-part'));
    };
    const c = await RawClient.connect(proxy.port);
    await c.write(get('/slow'));
    await c.waitFor(() => c.all.includes('first-part;'), 'the first chunk to reach the client while the upstream holds the rest');
    expect(c.all.includes('second-part')).toBe(false);
    release.resolve();
    const r = await c.readResponse();
    c.destroy();
    expect(r.body.toString()).toBe('first-part;second-part');
  });
});

describe('protocol', () => {
  it('answers an HTTP/1.0 client with an HTTP/1.x response whose body is delimited without chunking', async () => {
    up.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('hello ');
      res.end('world');
    };
    const c = await RawClient.connect(proxy.port);
    await c.write('GET /ten HTTP/1.0\r\nHost: app.example\r\n\r\n');
    // An HTTP/1.0 exchange without keep-alive ends with the connection.
    await c.waitEnded();
    c.destroy();
    const parsed = parseResponse(c.all, { ended: true });
    expect(parsed).not.toBeNull();
    const r = parsed!.response;
    expect(r.version).toMatch(/^HTTP\/1\.[01]$/);
    expect(r.status).toBe(200);
    expect(headerValues(r, 'transfer-encoding')).toEqual([]);
    expect(['length', 'close']).toContain(r.framing);
    expect(r.body.toString()).toBe('hello world');
    expect(parsed!.used).toBe(c.all.length);
  });

  it('answers an HTTP/1.0 client when the upstream sends Content-Length', async () => {
    const c = await RawClient.connect(proxy.port);
    await c.write('GET /ten-cl HTTP/1.0\r\nHost: app.example\r\n\r\n');
    const r = await c.readResponse();
    c.destroy();
    expect(r.version).toMatch(/^HTTP\/1\.[01]$/);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('GET /ten-cl');
  });

  it('honours Expect: 100-continue', async () => {
    const c = await RawClient.connect(proxy.port);
    await c.write('POST /expect HTTP/1.1\r\nHost: app.example\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n');
    await c.waitFor(() => c.all.toString().startsWith('HTTP/1.1 100 Continue\r\n\r\n'), 'HTTP/1.1 100 Continue');
    const interim = await c.readResponse();
    expect(interim.status).toBe(100);
    await c.write('hello world');
    const r = await c.readResponse();
    c.destroy();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('POST /expect');
    expect(lastSeen().body.toString()).toBe('hello world');
  });

  it('answers HEAD with headers and no body', async () => {
    up.handle = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1234' });
      res.end(req.method === 'HEAD' ? undefined : 'x'.repeat(1234));
    };
    const c = await RawClient.connect(proxy.port);
    await c.write(get('/head', [], 'HEAD'));
    const r = await c.readResponse({ noBody: true });
    expect(r.status).toBe(200);
    expect(headerValues(r, 'content-length')).toEqual(['1234']);
    // Nothing follows the head: the next response starts right after it.
    up.handle = echo;
    await c.write(get('/after-head'));
    const next = await c.readResponse();
    c.destroy();
    expect(next.statusLine).toMatch(/^HTTP\/1\.1 200/);
    expect(next.body.toString()).toBe('GET /after-head');
  });

  it('answers two requests on one keep-alive connection', async () => {
    const c = await RawClient.connect(proxy.port);
    await c.write(get('/one'));
    const first = await c.readResponse();
    await c.write(get('/two'));
    const second = await c.readResponse();
    expect(first.body.toString()).toBe('GET /one');
    expect(second.body.toString()).toBe('GET /two');
    expect(c.ended).toBe(false);
    c.destroy();
  });

  it('answers pipelined requests in order', async () => {
    const c = await RawClient.connect(proxy.port);
    await c.write(get('/p1') + get('/p2'));
    const first = await c.readResponse();
    const second = await c.readResponse();
    c.destroy();
    expect(first.body.toString()).toBe('GET /p1');
    expect(second.body.toString()).toBe('GET /p2');
  });
});

describe('forwarding headers', () => {
  const client = [
    ['Host', 'app.example:8080'],
    ['X-Forwarded-For', '203.0.113.9'],
    ['X-Forwarded-Proto', 'https'],
    ['X-Forwarded-Host', 'public.example'],
  ] as const;
  const request = (headers: ReadonlyArray<readonly [string, string]>) =>
    `GET /fwd HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;

  it('sets X-Forwarded-For/-Proto/-Host when the client sent none', async () => {
    await rawExchange(proxy.port, request([['Host', 'app.example:8080']]));
    expect(seenHeaders('x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(seenHeaders('x-forwarded-proto')).toEqual(['http']);
    expect(seenHeaders('x-forwarded-host')).toEqual(['app.example:8080']);
  });

  it('appends to existing X-Forwarded-* by default', async () => {
    await rawExchange(proxy.port, request(client));
    expect(seenHeaders('x-forwarded-for')).toEqual(['203.0.113.9, 127.0.0.1']);
    expect(seenHeaders('x-forwarded-proto')).toEqual(['https, http']);
    expect(seenHeaders('x-forwarded-host')).toEqual(['public.example, app.example:8080']);
  });

  it('joins several X-Forwarded-For lines before appending', async () => {
    await rawExchange(proxy.port, request([['Host', 'a'], ['X-Forwarded-For', '198.51.100.1'], ['X-Forwarded-For', '198.51.100.2']]));
    expect(seenHeaders('x-forwarded-for')).toEqual(['198.51.100.1, 198.51.100.2, 127.0.0.1']);
  });

  it('forwarded: replace replaces them', async () => {
    const p = await proxyFor(up.url, { forwarded: 'replace' });
    extra.push(p);
    await rawExchange(p.port, request(client));
    expect(seenHeaders('x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(seenHeaders('x-forwarded-proto')).toEqual(['http']);
    expect(seenHeaders('x-forwarded-host')).toEqual(['app.example:8080']);
  });

  it('forwarded: off leaves them as the client sent them and adds none', async () => {
    const p = await proxyFor(up.url, { forwarded: 'off' });
    extra.push(p);
    await rawExchange(p.port, request(client));
    expect(pairs(lastSeen().rawHeaders).filter(([n]) => n.toLowerCase().startsWith('x-forwarded'))).toEqual([
      ['X-Forwarded-For', '203.0.113.9'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-Host', 'public.example'],
    ]);
    await rawExchange(p.port, request([['Host', 'app.example:8080']]));
    expect(pairs(lastSeen().rawHeaders).filter(([n]) => n.toLowerCase().startsWith('x-forwarded'))).toEqual([]);
  });

  it('keeps the client Host by default', async () => {
    await rawExchange(proxy.port, request([['Host', 'app.example:8080']]));
    expect(seenHeaders('host')).toEqual(['app.example:8080']);
  });

  it('hostHeader: target sends the target host:port', async () => {
    const p = await proxyFor({ url: up.url, hostHeader: 'target' });
    extra.push(p);
    await rawExchange(p.port, request([['Host', 'app.example:8080']]));
    expect(seenHeaders('host')).toEqual([`127.0.0.1:${up.port}`]);
    // The client's Host is still told to the upstream in X-Forwarded-Host.
    expect(seenHeaders('x-forwarded-host')).toEqual(['app.example:8080']);
  });

  it('hostHeader: a literal is sent as is', async () => {
    const p = await proxyFor({ url: up.url, hostHeader: 'legacy.internal' });
    extra.push(p);
    await rawExchange(p.port, request([['Host', 'app.example:8080']]));
    expect(seenHeaders('host')).toEqual(['legacy.internal']);
  });

  it('appends Via: 1.1 strangler', async () => {
    await rawExchange(proxy.port, request([['Host', 'a']]));
    expect(seenHeaders('via')).toEqual(['1.1 strangler']);
    await rawExchange(proxy.port, request([['Host', 'a'], ['Via', '1.0 fred, 1.1 p.example']]));
    expect(seenHeaders('via')).toEqual(['1.0 fred, 1.1 p.example, 1.1 strangler']);
  });

  it('via: false leaves Via alone', async () => {
    const p = await proxyFor(up.url, { via: false });
    extra.push(p);
    await rawExchange(p.port, request([['Host', 'a']]));
    expect(seenHeaders('via')).toEqual([]);
    await rawExchange(p.port, request([['Host', 'a'], ['Via', '1.0 fred']]));
    expect(seenHeaders('via')).toEqual(['1.0 fred']);
  });
});
