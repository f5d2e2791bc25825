import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Real upstreams for the routing suites: each answers with `x-served-by`
 * naming itself, records what it received, and can be told to fail.
 */

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface NamedServer {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly server: http.Server;
  /** Every request that reached this server, in arrival order. */
  readonly received: Received[];
  hits(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Return `true` from a hook when it has answered (or dropped) the request
 * itself; otherwise the server answers 200 with JSON describing the request.
 */
export type Hook = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => boolean | void;

export async function startNamedServer(name: string, hook?: Hook): Promise<NamedServer> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.setHeader('x-served-by', name);
      if (hook?.(req, res, body)) return;
      const json = JSON.stringify({ by: name, method: req.method, url: req.url, body });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(req.method === 'HEAD' ? undefined : json);
    });
  });
  await listen(server);
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    received,
    hits: () => received.length,
    reset: () => {
      received.length = 0;
    },
    close: () => closeServer(server),
  };
}

export function listen(server: http.Server | net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A loopback URL on which nothing listens: connections to it are refused. */
export async function refusedUrl(): Promise<string> {
  const s = net.createServer();
  await listen(s);
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** `x-served-by` of the answer, or '' when the proxy answered itself. */
  by: string;
}

export interface SendOptions {
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Source address, any of 127.0.0.0/8 on Linux loopback. */
  localAddress?: string;
  agent?: http.Agent | false;
  signal?: AbortSignal;
}

/** One plain HTTP exchange, no connection reuse unless an agent is given. */
export function send(method: string, url: string, o: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { ...o.headers };
    if (o.body !== undefined) headers['content-length'] = Buffer.byteLength(o.body);
    const req = http.request(url, { method, headers, agent: o.agent ?? false, localAddress: o.localAddress, signal: o.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const by = res.headers['x-served-by'];
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), by: typeof by === 'string' ? by : '' });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Polls `probe` until it returns true, or fails after `timeoutMs`. */
export async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 3_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A pino destination that keeps its JSON lines (the transparency suite's, under the name these suites use). */
export { LogCapture as Capture } from './transparency-upstream.js';
