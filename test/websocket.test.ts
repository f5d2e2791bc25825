import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { startProxy, type RunningProxy } from '../src/router/proxy.js';
import { RuleFileSchema } from '../src/rules/schema.js';
import { inCanary } from '../src/router/canary.js';
import { RequestView } from '../src/rules/request-view.js';
import { closeServer, listen, refusedUrl, send, until } from './helpers/modes-servers.js';

/**
 * WebSocket upgrades through the proxy: routed by the same rules as plain
 * requests, to a real `ws` echo server on each side.
 */

interface EchoServer {
  url: string;
  http: http.Server;
  wss: WebSocketServer;
  /** Request paths of the upgrades this server accepted. */
  upgrades: string[];
  /** The server side of the latest connection on each path. */
  sockets: Map<string, WebSocket>;
}

/** Echoes every message with its type kept; a text message comes back prefixed with the server's name. */
async function startEcho(name: string): Promise<EchoServer> {
  const server = http.createServer((_req, res) => {
    res.setHeader('x-served-by', name);
    res.end(name);
  });
  const wss = new WebSocketServer({ server });
  const upgrades: string[] = [];
  const sockets = new Map<string, WebSocket>();
  wss.on('headers', (headers) => headers.push(`x-served-by: ${name}`));
  wss.on('connection', (socket, req) => {
    upgrades.push(req.url ?? '');
    sockets.set(req.url ?? '', socket);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) socket.send(data, { binary: true });
      else socket.send(`${name}:${data.toString()}`);
    });
  });
  await listen(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, http: server, wss, upgrades, sockets };
}

let legacy: EchoServer;
let svc: EchoServer;
let proxy: RunningProxy;
let wsBase: string;

beforeAll(async () => {
  legacy = await startEcho('legacy');
  svc = await startEcho('svc');
  const rules = RuleFileSchema.parse({
    legacy: legacy.url,
    services: { svc: svc.url, down: await refusedUrl() },
    routes: [
      { name: 'live', match: { path: '/live/**' }, mode: 'service', service: 'svc' },
      { name: 'live-down', match: { path: '/dead/**' }, mode: 'service', service: 'down' },
      { name: 'old-live', match: { path: '/old/**' }, mode: 'legacy' },
      { name: 'split', match: { path: '/split/**' }, mode: 'canary', service: 'svc', canary: { percent: 50, stickyBy: 'cookie:uid' } },
    ],
  });
  proxy = await startProxy({ rules, listen: '127.0.0.1:0' });
  wsBase = proxy.url.replace(/^http/, 'ws');
});

afterAll(async () => {
  await proxy?.close();
  for (const s of [legacy, svc]) {
    for (const c of s.wss.clients) c.terminate();
    s.wss.close();
    await closeServer(s.http);
  }
});

interface Opened {
  ws: WebSocket;
  servedBy: string;
  /** The next message, with its binary flag. */
  next(): Promise<{ data: Buffer; isBinary: boolean }>;
}

function open(path: string, headers?: Record<string, string>): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsBase + path, { headers });
    const queue: Array<{ data: Buffer; isBinary: boolean }> = [];
    const waiting: Array<(m: { data: Buffer; isBinary: boolean }) => void> = [];
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const m = { data: Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]), isBinary };
      const w = waiting.shift();
      if (w) w(m);
      else queue.push(m);
    });
    let servedBy = '';
    ws.once('upgrade', (res) => {
      servedBy = String(res.headers['x-served-by'] ?? '');
    });
    ws.once('open', () =>
      resolve({
        ws,
        servedBy,
        next: () => new Promise((r) => (queue.length ? r(queue.shift()!) : waiting.push(r))),
      }),
    );
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve(-1);
    else ws.once('close', (code) => resolve(code));
  });
}

describe('WebSocket upgrades', () => {
  it('tunnels text and binary messages to the service the route names', async () => {
    const c = await open('/live/chat?room=7');
    expect(c.servedBy).toBe('svc');
    expect(svc.upgrades.at(-1)).toBe('/live/chat?room=7');

    c.ws.send('hello');
    const text = await c.next();
    expect(text.isBinary).toBe(false);
    expect(text.data.toString()).toBe('svc:hello');

    const bytes = Buffer.from([0, 1, 2, 253, 254, 255, 0x0d, 0x0a]);
    c.ws.send(bytes);
    const binary = await c.next();
    expect(binary.isBinary).toBe(true);
    expect(binary.data.equals(bytes)).toBe(true);

    // A larger frame, split over several TCP segments.
    const big = Buffer.alloc(256 * 1024, 7);
    c.ws.send(big);
    const bigBack = await c.next();
    expect(bigBack.data.equals(big)).toBe(true);

    c.ws.send('again');
    expect((await c.next()).data.toString()).toBe('svc:again');
    const done = closed(c.ws);
    c.ws.close(1000, 'bye');
    expect(await done).toBe(1000);
  });

  it('sends unclaimed and legacy-mode upgrades to legacy', async () => {
    for (const path of ['/somewhere/else', '/old/feed']) {
      const before = svc.upgrades.length;
      const c = await open(path);
      expect(c.servedBy, path).toBe('legacy');
      expect(legacy.upgrades.at(-1)).toBe(path);
      c.ws.send('ping');
      expect((await c.next()).data.toString(), path).toBe('legacy:ping');
      expect(svc.upgrades.length).toBe(before);
      c.ws.terminate();
    }
  });

  it('keeps several tunnels apart', async () => {
    const a = await open('/live/a');
    const b = await open('/old/b');
    a.ws.send('from-a');
    b.ws.send('from-b');
    expect((await a.next()).data.toString()).toBe('svc:from-a');
    expect((await b.next()).data.toString()).toBe('legacy:from-b');
    a.ws.terminate();
    b.ws.terminate();
  });

  it('splits canary upgrades by the same sticky key as plain requests', async () => {
    const sides = new Set<string>();
    for (let u = 0; u < 10; u++) {
      const cookie = `uid=user-${u}`;
      const expected = inCanary('split', 50, 'cookie:uid', new RequestView('GET', '/split/x', { cookie })) ? 'svc' : 'legacy';
      const plain = await send('GET', `${proxy.url}/split/x`, { headers: { cookie } });
      const c = await open('/split/x', { cookie });
      expect(c.servedBy, cookie).toBe(expected);
      expect(plain.by, cookie).toBe(expected);
      c.ws.send('hi');
      expect((await c.next()).data.toString(), cookie).toBe(`${expected}:hi`);
      c.ws.terminate();
      sides.add(expected);
    }
    expect(sides.size).toBe(2);
  });

  it('closes the upstream side when the client goes away', async () => {
    const c = await open('/live/leaving');
    const serverSide = svc.sockets.get('/live/leaving');
    expect(serverSide?.readyState).toBe(WebSocket.OPEN);
    const gone = closed(serverSide!);
    c.ws.terminate();
    await until(() => serverSide!.readyState === WebSocket.CLOSED, 'the service socket to close', 2_000);
    await gone;
  });

  it('gives the client an error, not a hang, when the upstream refuses', async () => {
    const ws = new WebSocket(`${wsBase}/dead/chat`);
    const outcome = await new Promise<{ status?: number; reason?: string; error?: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the client was left hanging')), 5_000);
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, reason: String(res.headers['x-strangler-error'] ?? '') });
        res.resume();
      });
      ws.once('open', () => {
        clearTimeout(timer);
        reject(new Error('the upgrade to a refused upstream opened'));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        resolve({ error: err.message });
      });
    });
    ws.terminate();
    // The client learns the upstream is down, by name of the failure, not by a timeout.
    expect(outcome).toEqual({ status: 502, reason: 'refused' });
    expect(legacy.upgrades).not.toContain('/dead/chat');
  });

  it('still serves plain HTTP and new upgrades afterwards', async () => {
    const r = await send('GET', `${proxy.url}/live/status`);
    expect(r.status).toBe(200);
    expect(r.by).toBe('svc');
    const plainLegacy = await send('GET', `${proxy.url}/index`);
    expect(plainLegacy.by).toBe('legacy');
    const c = await open('/live/after');
    c.ws.send('still here');
    expect((await c.next()).data.toString()).toBe('svc:still here');
    c.ws.terminate();
  });
});
