import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jsonLogSink } from './transparency-upstream.js';
import { startFromFile, type StartedStrangler } from '../../src/cli/start.js';
import { createLogger } from '../../src/log.js';
import { waitFor, type ApiResponse } from './ledger-stack.js';

export { waitFor };

/**
 * A strangler stack for shadow tests: a legacy server and service servers
 * whose answers each test decides (a handler per server, swappable at any
 * time), a rule file and its SQLite ledger in a temp folder, and
 * `startFromFile` with the data plane and admin API on ephemeral ports.
 *
 *   const stack = await startShadowStack({ services: { orders: okJson({ id: 1 }) }, legacy: okJson({ id: 1 }), rules: (u) => `…` });
 *   stack.services.orders.handler = hang;     // from now on the service never answers
 */

/** Decides the answer to one request; `body` is the whole request body. */
export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** One request an upstream received. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Filled when the request body has ended. */
  body: Buffer | null;
  /** `performance.now()` when the head arrived, when the first body chunk arrived, and when the body ended. */
  headAt: number;
  firstChunkAt: number | null;
  endAt: number | null;
}

export interface ControlledUpstream {
  name: string;
  url: string;
  seen: Seen[];
  handler: Handler;
  /** Requests that carried `x-strangler-shadow: 1`. */
  copies(): Seen[];
  /** Requests that did not: what the client's traffic produced. */
  primaries(): Seen[];
  close(): Promise<void>;
}

export function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Answers the same JSON to every request (a function of the request when given one). */
export const okJson =
  (value: unknown | ((req: IncomingMessage, body: Buffer) => unknown), headers: Record<string, string> = {}, status = 200): Handler =>
  (req, res, body) =>
    json(res, status, typeof value === 'function' ? (value as (req: IncomingMessage, body: Buffer) => unknown)(req, body) : value, headers);

/** Never answers (the connection stays open until the server closes). */
export const hang: Handler = () => {};

/** Cuts the connection without an answer. */
export const reset: Handler = (req) => req.socket.destroy();

/** Answers bytes that are not HTTP. */
export const garbage: Handler = (req) => {
  req.socket.end('this is not HTTP at all\r\n\r\n\x00\x01\x02');
};

export async function startControlled(name: string, handler: Handler): Promise<ControlledUpstream> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const upstream: ControlledUpstream = {
    name,
    url: '',
    seen,
    handler,
    copies: () => seen.filter((s) => s.headers['x-strangler-shadow'] === '1'),
    primaries: () => seen.filter((s) => s.headers['x-strangler-shadow'] === undefined),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
  const server = http.createServer((req, res) => {
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: null, headAt: performance.now(), firstChunkAt: null, endAt: null };
    seen.push(entry);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      entry.firstChunkAt ??= performance.now();
      chunks.push(c);
    });
    req.on('end', () => {
      entry.endAt = performance.now();
      entry.body = Buffer.concat(chunks);
      try {
        upstream.handler(req, res, entry.body);
      } catch (err) {
        res.destroy(err as Error);
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Requests that never end (a hung handler) must not keep the test waiting on server timeouts.
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}

/** A loopback URL on which nothing listens: connections to it are refused. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface ShadowUrls {
  legacy: string;
  services: Record<string, string>;
  /** Nothing listens there. */
  refused: string;
}

export interface ShadowStackOptions {
  legacy: Handler;
  services: Record<string, Handler>;
  rules: (urls: ShadowUrls) => string;
  /** The rule text's admin.token. */
  token: string;
}

export interface ProxyAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: any;
  /** From sending the request to having the whole body, in ms. */
  ms: number;
}

export interface ShadowStack {
  dir: string;
  ruleFile: string;
  legacy: ControlledUpstream;
  services: Record<string, ControlledUpstream>;
  urls: ShadowUrls;
  app: StartedStrangler;
  logs: Array<Record<string, unknown> & { msg?: string }>;
  api(method: string, apiPath: string, body?: unknown): Promise<ApiResponse>;
  proxy(method: string, p: string, o?: { headers?: Record<string, string>; body?: string }): Promise<ProxyAnswer>;
  /** GET /api/report with the given query. */
  report(query?: Record<string, string>): Promise<any>;
  /** The report's entry for one endpoint (`GET /api/orders/{id}`). */
  endpoint(key: string): Promise<any>;
  /** Waits until the endpoint's shadow outcomes add up to at least `n` (all outcomes, compared or not). */
  settled(key: string, n: number, timeoutMs?: number): Promise<any>;
  /** The text of /metrics. */
  metrics(): Promise<string>;
  /** A counter of /metrics by its full label set, 0 when absent. */
  shadowMetric(kind: 'shadow' | 'noise', outcome: string): Promise<number>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export const sumOutcomes = (e: { outcomes: Record<string, number> } | undefined) => Object.values(e?.outcomes ?? {}).reduce((a, b) => a + b, 0);

export async function startShadowStack(o: ShadowStackOptions): Promise<ShadowStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-shadow-'));
  const ruleFile = path.join(dir, 'strangler.yaml');
  const legacy = await startControlled('legacy', o.legacy);
  const services: Record<string, ControlledUpstream> = {};
  for (const [name, h] of Object.entries(o.services)) services[name] = await startControlled(name, h);
  const urls: ShadowUrls = {
    legacy: legacy.url,
    services: Object.fromEntries(Object.entries(services).map(([k, s]) => [k, s.url])),
    refused: await refusedUrl(),
  };
  await writeFile(ruleFile, o.rules(urls));

  const { logs, destination } = jsonLogSink<ShadowStack['logs'][number]>();
  const start = () => startFromFile(ruleFile, { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', signals: false, logger: createLogger({ level: 'debug', destination }) });
  let running = true;

  const stack: ShadowStack = {
    dir,
    ruleFile,
    legacy,
    services,
    urls,
    app: await start(),
    logs,
    async api(method, apiPath, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${o.token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(stack.app.admin.url + apiPath, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async proxy(method, p, opts = {}) {
      const started = performance.now();
      const res = await fetch(stack.app.proxy.url + p, { method, headers: opts.headers, body: opts.body });
      const text = await res.text();
      const ms = performance.now() - started;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, headers: res.headers, text, body, ms };
    },
    async report(query = {}) {
      const qs = new URLSearchParams(query).toString();
      const r = await stack.api('GET', `/api/report${qs ? `?${qs}` : ''}`);
      if (r.status !== 200) throw new Error(`GET /api/report: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async endpoint(key) {
      const doc = await stack.report();
      return doc.endpoints.find((e: { method: string; path: string }) => `${e.method} ${e.path}` === key);
    },
    settled(key, n, timeoutMs = 8_000) {
      return waitFor(
        async () => {
          const e = await stack.endpoint(key);
          return e && sumOutcomes(e) >= n ? e : undefined;
        },
        `${n} shadow outcomes for ${key}`,
        timeoutMs,
      );
    },
    async metrics() {
      return (await fetch(`${stack.app.admin.url}/metrics`)).text();
    },
    async shadowMetric(kind, outcome) {
      const text = await stack.metrics();
      const m = new RegExp(`^strangler_shadow_outcomes_total\\{kind="${kind}",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
      return m ? Number(m[1]) : 0;
    },
    async restart() {
      await stack.stop();
      stack.app = await start();
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      await stack.app.stop();
    },
    async close() {
      await stack.stop();
      await legacy.close();
      for (const s of Object.values(services)) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}
