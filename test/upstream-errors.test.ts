import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import type { RunningProxy } from '../src/router/proxy.js';
import {
  LogCapture,
  RawClient,
  deferred,
  eventually,
  get,
  headerValues,
  parseResponse,
  proxyFor,
  rawExchange,
  refusedTarget,
  startRawUpstream,
  startUpstream,
  type RawUpstream,
  type Upstream,
} from './helpers/transparency-upstream.js';

/**
 * When a target fails, the client gets an honest answer (502/504 naming the
 * target, never its address), the details go to the log, and the proxy goes
 * on serving. When the client goes away, the upstream request goes too.
 */

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function proxy(legacy: unknown, extra: Record<string, unknown> = {}): Promise<{ p: RunningProxy; log: LogCapture }> {
  const log = new LogCapture();
  const p = await proxyFor(legacy, extra, { logger: createLogger({ level: 'debug', destination: log }) });
  cleanup.push(() => p.close());
  return { p, log };
}

async function upstream(...args: Parameters<typeof startUpstream>): Promise<Upstream> {
  const u = await startUpstream(...args);
  cleanup.push(() => u.close());
  return u;
}

async function rawUpstream(...args: Parameters<typeof startRawUpstream>): Promise<RawUpstream> {
  const u = await startRawUpstream(...args);
  cleanup.push(() => u.close());
  return u;
}

/** A raw upstream that runs `answer` once it has read a request head. */
function onRequestHead(answer: (socket: import('node:net').Socket, head: string) => void) {
  return rawUpstream((socket) => {
    let got = '';
    let done = false;
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (done || !got.includes('\r\n\r\n')) return;
      done = true;
      answer(socket, got.slice(0, got.indexOf('\r\n\r\n')));
    });
  });
}

const json = (body: Buffer) => JSON.parse(body.toString()) as Record<string, unknown>;

async function stillServes(p: RunningProxy, u: Upstream, path = '/still-here'): Promise<void> {
  u.handle = (req, res) => {
    res.writeHead(200, { 'content-length': Buffer.byteLength(req.url ?? '') });
    res.end(req.url);
  };
  const r = await rawExchange(p.port, get(path));
  expect(r.status).toBe(200);
  expect(r.body.toString()).toBe(path);
}

describe('unreachable target', () => {
  it('answers 502 naming the target by name, not by address, and logs the details', async () => {
    const dead = await refusedTarget();
    const { p, log } = await proxy(dead.url);
    const r = await rawExchange(p.port, get('/api/orders'));
    expect(r.status).toBe(502);
    expect(headerValues(r, 'x-strangler-error')).toEqual(['refused']);
    expect(headerValues(r, 'content-type')[0]).toMatch(/^application\/json/);
    const body = json(r.body);
    expect(body).toMatchObject({ error: 'bad_gateway', reason: 'refused', target: 'legacy' });
    const text = r.body.toString();
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain(String(dead.port));
    expect(r.head).not.toContain(String(dead.port));
    await eventually(() => log.records().some((l) => l.reason === 'refused'), 'the failure in the log');
    const line = log.records().find((l) => l.reason === 'refused')!;
    expect(line).toMatchObject({ target: 'legacy', url: '/api/orders', method: 'GET' });
    expect(JSON.stringify(line)).toContain(String(dead.port));
  });

  it('logs a dead target once per episode, not once per request, and says when it answers again', async () => {
    const legacy = await upstream();
    legacy.handle = (_req, res) => {
      // Down: every request is answered by resetting the connection.
      res.socket?.destroy();
    };
    const { p, log } = await proxy(legacy.url);
    for (let i = 0; i < 20; i++) expect((await rawExchange(p.port, get(`/api/orders/${i}`))).status).toBe(502);
    const failed = () => log.records().filter((l) => l.msg === 'upstream request failed');
    await eventually(() => failed().length > 0, 'the failure in the log');
    // Twenty failures with one cause in well under a minute: one line, naming the first request.
    expect(failed()).toHaveLength(1);
    expect(failed()[0]).toMatchObject({ target: 'legacy', url: '/api/orders/0', reason: 'reset' });
    await stillServes(p, legacy);
    await eventually(() => log.messages().includes('legacy answers again after 20 failed requests'), 'the recovery line');
    // A new episode is told again.
    legacy.handle = (_req, res) => res.socket?.destroy();
    expect((await rawExchange(p.port, get('/api/orders/again'))).status).toBe(502);
    await eventually(() => failed().length === 2, 'the second episode');
    expect(failed()[1]).toMatchObject({ url: '/api/orders/again' });
  });

  it('logs a service that fails over to legacy once per episode, not once per request', async () => {
    const legacy = await upstream();
    const svc = await upstream();
    svc.handle = (_req, res) => {
      res.writeHead(503, { 'content-length': 4 });
      res.end('down');
    };
    const { p, log } = await proxy(legacy.url, {
      services: { orders: svc.url },
      routes: [{ name: 'orders', match: { path: '/api/orders/**' }, mode: 'service', service: 'orders', fallback: 'legacy' }],
    });
    legacy.handle = (req, res) => {
      res.writeHead(200, { 'content-length': Buffer.byteLength(req.url ?? '') });
      res.end(req.url);
    };
    for (let i = 0; i < 20; i++) {
      const r = await rawExchange(p.port, get(`/api/orders/${i}`));
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe(`/api/orders/${i}`);
    }
    const fellBack = () => log.records().filter((l) => l.msg === 'falling back to legacy');
    await eventually(() => fellBack().length > 0, 'the fallback in the log');
    expect(fellBack()).toHaveLength(1);
    expect(fellBack()[0]).toMatchObject({ route: 'orders', from: 'orders', status: 503, url: '/api/orders/0' });
    svc.handle = (_req, res) => {
      res.writeHead(200, { 'content-length': 2 });
      res.end('ok');
    };
    expect((await rawExchange(p.port, get('/api/orders/back'))).body.toString()).toBe('ok');
    await eventually(() => log.messages().includes('orders answers again after 20 failed requests'), 'the recovery line');
  });

  it('names a service by its name', async () => {
    const dead = await refusedTarget();
    const legacy = await upstream();
    const { p } = await proxy(legacy.url, {
      services: { orders: dead.url },
      routes: [{ name: 'orders', match: { path: '/api/orders/**' }, mode: 'service', service: 'orders' }],
    });
    const r = await rawExchange(p.port, get('/api/orders/7'));
    expect(r.status).toBe(502);
    expect(headerValues(r, 'x-strangler-error')).toEqual(['refused']);
    expect(json(r.body)).toMatchObject({ reason: 'refused', target: 'orders' });
    expect(r.body.toString()).not.toContain(String(dead.port));
    // Other routes are unaffected.
    await stillServes(p, legacy);
  });

  it('answers 502 with a request body too, and keeps the client connection usable', async () => {
    const dead = await refusedTarget();
    const { p } = await proxy(dead.url);
    const c = await RawClient.connect(p.port);
    cleanup.push(async () => c.destroy());
    await c.write('POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello');
    const r = await c.readResponse();
    expect(r.status).toBe(502);
    expect(json(r.body)).toMatchObject({ reason: 'refused', target: 'legacy' });
    await c.write(get('/again'));
    expect((await c.readResponse()).status).toBe(502);
  });
});

describe('timeout', () => {
  it('answers 504 with X-Strangler-Error: timeout when the target accepts but never answers', async () => {
    const silent = await rawUpstream(() => undefined);
    const { p, log } = await proxy({ url: silent.url, timeoutMs: 300 });
    const started = Date.now();
    const r = await rawExchange(p.port, get('/slow'), { timeoutMs: 5_000 });
    const took = Date.now() - started;
    expect(r.status).toBe(504);
    expect(headerValues(r, 'x-strangler-error')).toEqual(['timeout']);
    expect(json(r.body)).toMatchObject({ error: 'gateway_timeout', reason: 'timeout', target: 'legacy' });
    expect(r.body.toString()).not.toContain(String(silent.port));
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3_000);
    await eventually(() => log.records().some((l) => l.reason === 'timeout'), 'the timeout in the log');
  });

  it('cuts the client connection when the target stalls mid-body', async () => {
    const stall = await onRequestHead((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
    });
    const { p } = await proxy({ url: stall.url, timeoutMs: 300 });
    const c = await RawClient.connect(p.port);
    cleanup.push(async () => c.destroy());
    await c.write(get('/stall'));
    await c.waitEnded(5_000);
    expect(c.all.toString()).toMatch(/^HTTP\/1\.1 200/);
    // The response is visibly incomplete: fewer bytes than announced.
    expect(parseResponse(c.all, { ended: false })).toBeNull();
  });
});

describe('broken upstream connections', () => {
  it('cuts the client connection when the target resets mid-response (Content-Length)', async () => {
    const legacy = await upstream();
    const reset = await onRequestHead((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000), () => {
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
    });
    const { p } = await proxy(legacy.url, {
      services: { flaky: reset.url },
      routes: [{ name: 'flaky', match: { path: '/flaky' }, mode: 'service', service: 'flaky' }],
    });
    const c = await RawClient.connect(p.port);
    cleanup.push(async () => c.destroy());
    await c.write(get('/flaky'));
    await c.waitEnded(5_000);
    const text = c.all.toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    // Not a complete-looking 200: the body is shorter than its Content-Length.
    expect(parseResponse(c.all, { ended: false })).toBeNull();
    await stillServes(p, legacy);
  });

  it('cuts the client connection when the target resets right after its first bytes, in the same read', async () => {
    const legacy = await upstream();
    const reset = await onRequestHead((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
      socket.resetAndDestroy();
    });
    const { p } = await proxy(legacy.url, {
      services: { flaky: reset.url },
      routes: [{ name: 'flaky', match: { path: '/flaky' }, mode: 'service', service: 'flaky' }],
    });
    for (let i = 0; i < 5; i++) {
      const c = await RawClient.connect(p.port);
      cleanup.push(async () => c.destroy());
      await c.write(get('/flaky'));
      await c.waitEnded(5_000);
      // Either a 502 (the reset came before the head was read) or a visibly truncated 200, never a clean-looking answer.
      const r = parseResponse(c.all, { ended: false });
      const seen = r !== null ? `complete ${r.response.status}` : `truncated ${c.all.toString('latin1').slice(0, 12)}`;
      expect(['complete 502', 'truncated HTTP/1.1 200']).toContain(seen);
    }
    await stillServes(p, legacy);
  });

  it('cuts the client connection when a chunked response is reset: no terminating chunk', async () => {
    const legacy = await upstream();
    const reset = await onRequestHead((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', () => {
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
    });
    const { p } = await proxy(legacy.url, {
      services: { flaky: reset.url },
      routes: [{ name: 'flaky', match: { path: '/flaky' }, mode: 'service', service: 'flaky' }],
    });
    const c = await RawClient.connect(p.port);
    cleanup.push(async () => c.destroy());
    await c.write(get('/flaky'));
    await c.waitEnded(5_000);
    const text = c.all.toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text).toContain('hello');
    expect(text).not.toMatch(/\r\n0\r\n\r\n$/);
    expect(parseResponse(c.all, { ended: false })).toBeNull();
    await stillServes(p, legacy);
  });

  it('answers 502 when the target closes the connection without answering', async () => {
    const legacy = await upstream();
    const hangup = await onRequestHead((socket) => socket.destroy());
    const { p } = await proxy(legacy.url, {
      services: { hangup: hangup.url },
      routes: [{ name: 'hangup', match: { path: '/hangup' }, mode: 'service', service: 'hangup' }],
    });
    const r = await rawExchange(p.port, get('/hangup'));
    expect(r.status).toBe(502);
    expect(headerValues(r, 'x-strangler-error')).toEqual(['reset']);
    expect(json(r.body)).toMatchObject({ target: 'hangup', reason: 'reset' });
    await stillServes(p, legacy);
  });

  it('answers 502 when the target speaks something that is not HTTP', async () => {
    const legacy = await upstream();
    const garbage = await onRequestHead((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\nthis is not http at all\r\n\r\n'));
    const { p } = await proxy(legacy.url, {
      services: { garbage: garbage.url },
      routes: [{ name: 'garbage', match: { path: '/garbage' }, mode: 'service', service: 'garbage' }],
    });
    const r = await rawExchange(p.port, get('/garbage'));
    expect(r.status).toBe(502);
    expect(headerValues(r, 'x-strangler-error')).toEqual(['bad-response']);
    expect(json(r.body)).toMatchObject({ error: 'bad_gateway', reason: 'bad-response', target: 'garbage' });
    expect(r.body.toString()).not.toContain(String(garbage.port));
    await stillServes(p, legacy);
  });

  it('answers 502 when the target sends a malformed header', async () => {
    const legacy = await upstream();
    const bad = await onRequestHead((socket) => socket.end('HTTP/1.1 200 OK\r\nBad Header Name: x\r\nContent-Length: 0\r\n\r\n'));
    const { p } = await proxy(legacy.url, {
      services: { bad: bad.url },
      routes: [{ name: 'bad', match: { path: '/bad' }, mode: 'service', service: 'bad' }],
    });
    const r = await rawExchange(p.port, get('/bad'));
    expect(r.status).toBe(502);
    expect(headerValues(r, 'x-strangler-error')).toEqual(['bad-response']);
    await stillServes(p, legacy);
  });
});

describe('client goes away', () => {
  it('cancels the upstream request at once when the client aborts while the upstream is slow', async () => {
    const arrived = deferred();
    let closedAt = 0;
    const u = await upstream((req, res) => {
      if (req.url !== '/slow') {
        res.end('ok');
        return;
      }
      res.on('close', () => (closedAt = Date.now()));
      // Never answers on its own.
      arrived.resolve();
    });
    const { p } = await proxy(u.url);
    const c = await RawClient.connect(p.port);
    await c.write(get('/slow'));
    await arrived.promise;
    const goneAt = Date.now();
    c.destroy();
    await eventually(() => closedAt > 0, 'the upstream request to be closed', 2_000);
    expect(closedAt - goneAt).toBeLessThan(1_000);
    await stillServes(p, u);
  });

  it('cancels the upstream request when the client disconnects in the middle of its body', async () => {
    const firstData = deferred();
    let closedAt = 0;
    let completed = false;
    const u = await upstream((req, res) => {
      if (req.url !== '/upload') {
        res.end('ok');
        return;
      }
      req.on('data', () => firstData.resolve());
      req.on('end', () => (completed = true));
      req.on('close', () => (closedAt = Date.now()));
      res.on('close', () => (closedAt ||= Date.now()));
    });
    const { p } = await proxy(u.url);
    for (const framing of ['Content-Length: 1048576', 'Transfer-Encoding: chunked']) {
      closedAt = 0;
      const c = await RawClient.connect(p.port);
      await c.write(`POST /upload HTTP/1.1\r\nHost: a\r\n${framing}\r\n\r\n`);
      const part = Buffer.alloc(100 * 1024, 0x61);
      await c.write(framing.startsWith('Content') ? part : Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]));
      await firstData.promise;
      const goneAt = Date.now();
      c.destroy();
      await eventually(() => closedAt > 0, `the upstream request to be closed (${framing})`, 2_000);
      expect(closedAt - goneAt, framing).toBeLessThan(1_000);
      expect(completed, framing).toBe(false);
    }
    await stillServes(p, u);
  });

  it('cancels the upstream request when the client sent its whole body and left before the answer', async () => {
    let closedAt = 0;
    let bodyDone = false;
    const u = await upstream((req, res) => {
      if (req.url !== '/post-slow') {
        res.end('ok');
        return;
      }
      req.resume();
      req.on('end', () => (bodyDone = true));
      res.on('close', () => (closedAt = Date.now()));
    });
    const { p } = await proxy(u.url);
    const c = await RawClient.connect(p.port);
    await c.write('POST /post-slow HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello');
    await eventually(() => bodyDone, 'the body to reach the upstream');
    const goneAt = Date.now();
    c.destroy();
    await eventually(() => closedAt > 0, 'the upstream request to be closed', 2_000);
    expect(closedAt - goneAt).toBeLessThan(1_000);
    await stillServes(p, u);
  });

  it('stops reading the upstream when the client leaves mid-response', async () => {
    let closedAt = 0;
    const u = await upstream((req, res) => {
      if (req.url !== '/endless') {
        res.end('ok');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 5);
      res.on('close', () => {
        clearInterval(timer);
        closedAt = Date.now();
      });
    });
    const { p } = await proxy(u.url);
    const c = await RawClient.connect(p.port);
    await c.write(get('/endless'));
    await c.waitFor(() => c.all.length > 64 * 1024, 'some of the body');
    const goneAt = Date.now();
    c.destroy();
    await eventually(() => closedAt > 0, 'the upstream response to be closed', 2_000);
    expect(closedAt - goneAt).toBeLessThan(1_000);
    await stillServes(p, u);
  });
});

describe('robustness', () => {
  it('survives many concurrent failures of every kind and answers afterwards', async () => {
    const dead = await refusedTarget();
    const silent = await rawUpstream(() => undefined);
    const garbage = await onRequestHead((socket) => socket.end('garbage\r\n\r\n'));
    const reset = await onRequestHead((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc', () => socket.resetAndDestroy());
    });
    const legacy = await upstream((_req, res) => {
      // Slow enough for clients to give up first.
      setTimeout(() => {
        if (!res.destroyed) res.end('late');
      }, 300);
    });
    const { p } = await proxy(legacy.url, {
      services: { dead: dead.url, silent: { url: silent.url, timeoutMs: 300 }, garbage: garbage.url, reset: reset.url },
      routes: [
        { name: 'dead', match: { path: '/dead' }, mode: 'service', service: 'dead' },
        { name: 'silent', match: { path: '/silent' }, mode: 'service', service: 'silent' },
        { name: 'garbage', match: { path: '/garbage' }, mode: 'service', service: 'garbage' },
        { name: 'reset', match: { path: '/reset' }, mode: 'service', service: 'reset' },
      ],
    });

    const status = (path: string) =>
      new Promise<number>((resolve) => {
        const req = http.get(`${p.url}${path}`, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve(-1));
          res.on('aborted', () => resolve(-1));
        });
        req.on('error', () => resolve(-1));
      });
    const abandon = (path: string) =>
      new Promise<void>((resolve) => {
        const req = http.get(`${p.url}${path}`, { agent: false });
        req.on('error', () => resolve());
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 20);
      });

    const jobs: Array<Promise<unknown>> = [];
    const results: Record<string, Promise<number[]>> = {};
    for (const path of ['/dead', '/silent', '/garbage', '/reset']) {
      const batch = Array.from({ length: 40 }, () => status(path));
      results[path] = Promise.all(batch);
      jobs.push(...batch);
    }
    for (let i = 0; i < 40; i++) jobs.push(abandon('/abandoned'));
    await Promise.all(jobs);

    expect(new Set(await results['/dead'])).toEqual(new Set([502]));
    expect(new Set(await results['/silent'])).toEqual(new Set([504]));
    expect(new Set(await results['/garbage'])).toEqual(new Set([502]));
    // A reset after the head reached the client can only be shown as a cut connection.
    for (const s of await results['/reset']!) expect([-1, 502]).toContain(s);

    legacy.handle = (req, res) => res.end(req.url);
    expect(await status('/after')).toBe(200);
    await stillServes(p, legacy);
  });
});
