import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleYaml, shadowRoute } from './helpers/rule-yaml.js';
import { garbage, json, reset, startShadowStack, sumOutcomes, waitFor, type Handler, type ProxyAnswer, type ShadowStack, type ShadowUrls } from './helpers/shadow-stack.js';

/**
 * Shadow isolation end to end: a real legacy server, real service servers
 * that misbehave in every way a new service can (never answer, refuse,
 * reset, answer garbage, answer a huge body, answer too late), a real
 * proxy and a real SQLite ledger. Whatever the service does, the client
 * gets legacy's answer, as fast and byte for byte as in legacy mode; what
 * the copy ran into is counted with its reason.
 */

const TOKEN = 'shadow-isolation-token-0123456789';
const BIG = Buffer.alloc(200 * 1024, 'legacy-big-body;');

const legacy: Handler = (req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/stream/')) {
    // The second half comes late: a proxy that buffered the answer would hold the first half back.
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first-part;');
    setTimeout(() => res.end('second-part'), 400);
    return;
  }
  if (url.startsWith('/big/')) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG.length });
    res.end(BIG);
    return;
  }
  json(res, 200, { path: url, answer: 'legacy' }, { 'x-legacy': 'yes' });
};

const hugeBody = JSON.stringify({ filler: 'x'.repeat(2 * 1024 * 1024) });
/** Copies the hung service holds open right now, and the most it ever held at once. */
const hung = { open: 0, maxOpen: 0 };
const services: Record<string, Handler> = {
  hung: (req) => {
    hung.open++;
    hung.maxOpen = Math.max(hung.maxOpen, hung.open);
    req.socket.once('close', () => hung.open--);
  },
  resetting: reset,
  garbage,
  huge: (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(hugeBody);
  },
  slow: (req, res) => setTimeout(() => legacy(req, res, Buffer.alloc(0)), 1_500),
  healthy: (req, res, body) => {
    const url = req.url ?? '/';
    if (url.startsWith('/stream/')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('first-part;second-part');
    } else if (url.startsWith('/upload/')) {
      json(res, 200, { got: body.length });
    } else legacy(req, res, body);
  },
};

const SHADOW = { timeoutMs: 300, maxBodyBytes: 65536, unsafe: true };
/**
 * For the hung service, a timeout well above the client's bound: an answer
 * that waited for its copy would take 2 s. A hung copy holds its slot that
 * long, so a sequential client soon fills the bounded queue, however fast
 * or slow the machine runs the test.
 */
const HUNG = { timeoutMs: 2000 };

function rules(u: ShadowUrls): string {
  const route = (name: string, service: string, shadow: Record<string, unknown> = SHADOW) => shadowRoute(name, { service, methods: null, shadow });
  return ruleYaml(u, {
    token: TOKEN,
    services: { ...u.services, refused: u.refused },
    routes: [
      route('hung', 'hung', HUNG),
      route('refused', 'refused'),
      route('resetting', 'resetting'),
      route('garbage', 'garbage'),
      route('huge', 'huge'),
      route('slow', 'slow'),
      route('stream', 'healthy'),
      route('big', 'healthy'),
      route('upload', 'healthy'),
      route('matched', 'healthy'),
      `  - name: moved
    match: { path: "/moved/{id}" }
    mode: service
    service: healthy
    fallback: legacy
    shadow: { against: legacy, timeoutMs: 300, maxPerSecond: 100000 }`,
    ],
  });
}

let stack: ShadowStack;
/** dropped-queue as the hung-service test left it. */
let droppedBefore = 0;

beforeAll(async () => {
  stack = await startShadowStack({ legacy, services, rules, token: TOKEN });
});
afterAll(() => stack?.close());

/** The answer legacy gives, exactly, and nothing added by the proxy. */
function expectLegacyAnswer(a: ProxyAnswer, url: string): void {
  expect(a.status).toBe(200);
  expect(a.text).toBe(JSON.stringify({ path: url, answer: 'legacy' }));
  expect(a.headers.get('x-legacy')).toBe('yes');
  expect(a.headers.get('content-type')).toBe('application/json');
  expect(a.headers.get('x-strangler-error')).toBeNull();
}

describe('shadow isolation: the client gets legacy, whatever the service does', () => {
  it('a hung service: every answer is as fast as legacy alone, the same bytes, and the copies time out or are dropped, counted', async () => {
    // Without shadowing first (an unrouted path), for reference in the failure message.
    const plain: number[] = [];
    for (let i = 0; i < 20; i++) {
      const a = await stack.proxy('GET', `/plain/${i}`);
      expectLegacyAnswer(a, `/plain/${i}`);
      plain.push(a.ms);
    }
    const N = 300;
    const slow: Array<{ i: number; ms: number }> = [];
    const started = performance.now();
    for (let i = 0; i < N; i++) {
      const a = await stack.proxy('GET', `/hung/${i}`);
      expectLegacyAnswer(a, `/hung/${i}`);
      // An answer that waited for its copy, or queued behind copies, would take 2 s.
      if (a.ms >= 200) slow.push({ i, ms: Math.round(a.ms) });
    }
    const elapsed = performance.now() - started;
    expect(slow, `answers slower than 200 ms (legacy alone: max ${Math.round(Math.max(...plain))} ms)`).toEqual([]);
    // The service did get copies, all of them hung, at most the per-service concurrency (16) at a time: until
    // the first ones time out (2 s after they left), no further copy arrives, however many requests queue.
    const copies = stack.services.hung!.copies();
    expect(copies.length).toBeGreaterThanOrEqual(16);
    expect(copies.filter((c) => c.headAt < copies[0]!.headAt + 1_500)).toHaveLength(16);
    expect(hung.maxOpen).toBeGreaterThanOrEqual(16);
    expect(stack.services.hung!.copies().length).toBeLessThan(N);
    expect(elapsed).toBeLessThan(N * 200);

    // Copies that hung ran into the timeout; the ones beyond the bounded queue were dropped. Both are counted.
    await waitFor(async () => (await stack.shadowMetric('shadow', 'shadow-timeout')) >= 16, 'shadow-timeout in /metrics', 10_000);
    droppedBefore = await stack.shadowMetric('shadow', 'dropped-queue');
    expect(droppedBefore).toBeGreaterThan(0);
    expect(await stack.shadowMetric('shadow', 'match')).toBe(0);
    const e = await stack.settled('GET /hung/{id}', 16 + (await stack.shadowMetric('shadow', 'dropped-queue')));
    expect(e.outcomes['dropped-queue']).toBeGreaterThan(0);
    expect(e.outcomes['shadow-timeout']).toBeGreaterThanOrEqual(16);
    expect(e.compared).toBe(0);
    expect(e.outcomes.match ?? 0).toBe(0);
    // Nothing was compared, so there is no match rate to claim.
    expect(e.matchRate).toBeNull();
    expect(e.netMatchRate).toBeNull();
  });

  it('a refused connection: legacy answers, the copy is counted as shadow-refused', async () => {
    for (let i = 0; i < 5; i++) expectLegacyAnswer(await stack.proxy('GET', `/refused/${i}`), `/refused/${i}`);
    const e = await stack.settled('GET /refused/{id}', 5);
    expect(e.outcomes).toEqual({ 'shadow-refused': 5 });
    expect(e.compared).toBe(0);
  });

  it('a service that resets the connection: legacy answers, counted as shadow-reset', async () => {
    for (let i = 0; i < 5; i++) expectLegacyAnswer(await stack.proxy('GET', `/resetting/${i}`), `/resetting/${i}`);
    const e = await stack.settled('GET /resetting/{id}', 5);
    expect(e.outcomes).toEqual({ 'shadow-reset': 5 });
    expect(stack.services.resetting!.copies()).toHaveLength(5);
  });

  it('a service that answers bytes that are not HTTP: legacy answers, counted as unparseable', async () => {
    for (let i = 0; i < 5; i++) expectLegacyAnswer(await stack.proxy('GET', `/garbage/${i}`), `/garbage/${i}`);
    const e = await stack.settled('GET /garbage/{id}', 5);
    expect(e.outcomes).toEqual({ unparseable: 5 });
  });

  it('a service that answers a body over maxBodyBytes: legacy answers, counted as too-large', async () => {
    for (let i = 0; i < 3; i++) expectLegacyAnswer(await stack.proxy('GET', `/huge/${i}`), `/huge/${i}`);
    const e = await stack.settled('GET /huge/{id}', 3);
    expect(e.outcomes).toEqual({ 'too-large': 3 });
  });

  it('a service slower than timeoutMs: legacy answers at once, counted as shadow-timeout', async () => {
    for (let i = 0; i < 3; i++) {
      const a = await stack.proxy('GET', `/slow/${i}`);
      expectLegacyAnswer(a, `/slow/${i}`);
      expect(a.ms).toBeLessThan(200);
    }
    const e = await stack.settled('GET /slow/{id}', 3);
    expect(e.outcomes).toEqual({ 'shadow-timeout': 3 });
  });

  it('a healthy service: the same answers are compared and match', async () => {
    for (let i = 0; i < 4; i++) expectLegacyAnswer(await stack.proxy('GET', `/matched/${i}`), `/matched/${i}`);
    const e = await stack.settled('GET /matched/{id}', 4);
    expect(e.outcomes).toEqual({ match: 4 });
    expect(e).toMatchObject({ compared: 4, matched: 4, matchRate: 100, netMatchRate: 100, differences: [] });
  });

  it("legacy's answer streams to the client as it comes (tee, not buffer), and is still compared whole", async () => {
    const started = performance.now();
    const { firstChunkMs, totalMs, body } = await new Promise<{ firstChunkMs: number; totalMs: number; body: string }>((resolve, reject) => {
      http
        .get(`${stack.app.proxy.url}/stream/1`, (res) => {
          let firstChunkMs = -1;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            if (firstChunkMs < 0) firstChunkMs = performance.now() - started;
            chunks.push(c);
          });
          res.on('end', () => resolve({ firstChunkMs, totalMs: performance.now() - started, body: Buffer.concat(chunks).toString() }));
        })
        .on('error', reject);
    });
    expect(body).toBe('first-part;second-part');
    // Legacy holds its second half back for 400 ms; the first half reached the client well before.
    expect(totalMs).toBeGreaterThanOrEqual(390);
    expect(firstChunkMs).toBeLessThan(200);
    const e = await stack.settled('GET /stream/{id}', 1);
    expect(e.outcomes).toEqual({ match: 1 });
  });

  it('a legacy answer over maxBodyBytes reaches the client whole; the comparison is counted as too-large', async () => {
    const a = await stack.proxy('GET', '/big/1');
    expect(a.status).toBe(200);
    expect(a.text.length).toBe(BIG.length);
    expect(Buffer.from(a.text).equals(BIG)).toBe(true);
    const e = await stack.settled('GET /big/{id}', 1);
    expect(e.outcomes).toEqual({ 'too-large': 1 });
  });

  it('the request body streams to legacy as the client sends it, and the copy gets it whole', async () => {
    const part1 = '{"items":[' + '"a",'.repeat(1000);
    const part2 = '"z"]}';
    let secondSentAt = 0;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${stack.app.proxy.url}/upload/1`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(part1 + part2) } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(part1);
      setTimeout(() => {
        secondSentAt = performance.now();
        req.end(part2);
      }, 400);
    });
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ path: '/upload/1', answer: 'legacy' }) });
    const atLegacy = stack.legacy.seen.find((s) => s.url === '/upload/1')!;
    // Legacy had the first part while the client was still holding the second: the proxy did not wait for the whole body.
    expect(atLegacy.firstChunkAt).not.toBeNull();
    expect(atLegacy.firstChunkAt!).toBeLessThan(secondSentAt);
    expect(atLegacy.body!.toString()).toBe(part1 + part2);
    const copy = await waitFor(() => stack.services.healthy!.copies().find((s) => s.url === '/upload/1' && s.body !== null), 'the copy of the upload');
    expect(copy.method).toBe('POST');
    expect(copy.body!.toString()).toBe(part1 + part2);
    expect(copy.headers['content-type']).toBe('application/json');
    const e = await stack.settled('POST /upload/{id}', 1);
    // The service answers differently (it is not legacy), which is what the comparison says.
    expect(e.outcomes).toEqual({ differ: 1 });
  });

  it('a request body over maxBodyBytes reaches legacy whole; the copy is not sent, counted as too-large', async () => {
    const big = JSON.stringify({ blob: 'b'.repeat(100 * 1024) });
    const before = stack.services.healthy!.copies().length;
    const a = await stack.proxy('POST', '/upload/2', { headers: { 'content-type': 'application/json' }, body: big });
    expect(a.text).toBe(JSON.stringify({ path: '/upload/2', answer: 'legacy' }));
    expect(stack.legacy.seen.find((s) => s.url === '/upload/2')!.body!.toString()).toBe(big);
    const e = await stack.settled('POST /upload/{id}', 2);
    expect(e.outcomes).toEqual({ differ: 1, 'too-large': 1 });
    expect(stack.services.healthy!.copies().length).toBe(before);
  });

  it('clients that go away mid-body do not use up the shadow capacity (the fallback path reads the body first)', async () => {
    const { port } = new URL(stack.app.proxy.url);
    // More than the lane's concurrency and queue together (16 + 128): leaked slots would leave none.
    for (let i = 0; i < 160; i++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(`GET /moved/${i} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial`);
          setTimeout(() => socket.destroy(), 2);
        });
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 3; i++) {
      const a = await stack.proxy('GET', `/moved/ok-${i}`);
      // The service answers the client (it reuses legacy's handler, so the answers match).
      expect(a.text).toBe(JSON.stringify({ path: `/moved/ok-${i}`, answer: 'legacy' }));
    }
    const e = await stack.settled('GET /moved/{id}', 3);
    expect(e.outcomes).toEqual({ match: 3 });
    expect(await stack.shadowMetric('shadow', 'dropped-queue')).toBe(droppedBefore);
  });

  it('the proxy is still healthy after all of it: legacy-mode traffic and the admin API answer', async () => {
    expectLegacyAnswer(await stack.proxy('GET', '/plain/after'), '/plain/after');
    const health = await fetch(`${stack.app.admin.url}/healthz`);
    expect(health.status).toBe(200);
    const doc = await stack.report();
    const paths = doc.endpoints.map((e: { path: string }) => e.path);
    for (const name of ['hung', 'refused', 'resetting', 'garbage', 'huge', 'slow', 'stream', 'big', 'matched', 'moved']) expect(paths).toContain(`/${name}/{id}`);
    // Not one comparison was claimed for a service that never answered properly.
    for (const name of ['hung', 'refused', 'resetting', 'garbage', 'huge', 'slow']) {
      expect(doc.endpoints.find((e: { path: string }) => e.path === `/${name}/{id}`).compared).toBe(0);
    }
    expect(sumOutcomes(doc.endpoints.find((e: { path: string }) => e.path === '/refused/{id}'))).toBe(5);
  });
});
