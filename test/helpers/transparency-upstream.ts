import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/router/proxy.js';
import { RuleFileSchema, type RuleFile } from '../../src/rules/schema.js';

/**
 * Byte-level tools for the transparency and upstream-error suites: real
 * upstreams (node:http, or node:net when the upstream must misbehave), a raw
 * socket client that writes exact bytes and parses exact response bytes, and
 * a proxy in front of a given legacy target.
 */

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** What an upstream saw of one request, as it arrived. */
export interface Seen {
  method: string;
  url: string;
  httpVersion: string;
  rawHeaders: string[];
  body: Buffer;
}

export interface Upstream {
  readonly url: string;
  readonly port: number;
  readonly server: http.Server;
  /** Requests whose body has fully arrived, in order. */
  readonly seen: Seen[];
  /** The handler for the next requests; by default a 200 echo of method and url. */
  handle: Handler;
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export const echo: Handler = (req, res) => {
  const body = `${req.method} ${req.url}`;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
};

/**
 * An http upstream that records each request (raw headers, full body) and
 * then runs the current handler. Handlers that need the body as it streams
 * in set `handle` and read `req` themselves: recording does not consume it.
 */
export async function startUpstream(handle: Handler = echo): Promise<Upstream> {
  const seen: Seen[] = [];
  const server = http.createServer({ keepAliveTimeout: 10_000 });
  const up: Upstream = {
    url: '',
    port: 0,
    server,
    seen,
    handle,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    const record: Seen = { method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, rawHeaders: req.rawHeaders, body: Buffer.alloc(0) };
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      record.body = Buffer.concat(chunks);
      seen.push(record);
    });
    up.handle(req, res);
  });
  const port = await listen(server);
  return Object.assign(up, { port, url: `http://127.0.0.1:${port}` });
}

export interface RawUpstream {
  readonly url: string;
  readonly port: number;
  readonly sockets: Set<net.Socket>;
  close(): Promise<void>;
}

/** A TCP server that does whatever `onSocket` does: for upstreams that are not (good) HTTP. */
export async function startRawUpstream(onSocket: (socket: net.Socket) => void): Promise<RawUpstream> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL on which nothing listens. */
export async function refusedTarget(): Promise<{ url: string; port: number }> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return { url: `http://127.0.0.1:${port}`, port };
}

/** A proxy whose legacy is `legacy`; `extra` adds or overrides rule file fields. */
export function proxyFor(legacy: unknown, extra: Record<string, unknown> = {}, options: Partial<ProxyOptions> = {}): Promise<RunningProxy> {
  const rules: RuleFile = RuleFileSchema.parse({ legacy, ...extra });
  return startProxy({ rules, listen: '127.0.0.1:0', ...options });
}

export interface RawResponse {
  statusLine: string;
  version: string;
  status: number;
  reason: string;
  /** [name, value] as they appeared on the wire, in order. */
  headers: Array<[string, string]>;
  /** The header block as sent, status line included, without the final blank line. */
  head: string;
  /** The body after de-chunking. */
  body: Buffer;
  /** The body bytes as they were on the wire. */
  wireBody: Buffer;
  framing: 'none' | 'length' | 'chunked' | 'close';
}

export function headerValues(r: { headers: Array<[string, string]> }, name: string): string[] {
  const lower = name.toLowerCase();
  return r.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** [name, value] pairs from Node's rawHeaders. */
export function pairs(rawHeaders: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < rawHeaders.length; i += 2) out.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  return out;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * Parses one response at the start of `buf`. Returns null while it is
 * incomplete; `ended` says no more bytes will come (close-delimited bodies).
 */
export function parseResponse(buf: Buffer, o: { noBody?: boolean; ended?: boolean } = {}): { response: RawResponse; used: number } | null {
  const headEnd = buf.indexOf(CRLF2);
  if (headEnd === -1) return null;
  const head = buf.subarray(0, headEnd).toString('latin1');
  const lines = head.split('\r\n');
  const statusLine = lines[0]!;
  const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Array<[string, string]> = lines.slice(1).map((l) => {
    const colon = l.indexOf(':');
    return [l.slice(0, colon), l.slice(colon + 1).trim()];
  });
  const status = Number(m[2]);
  const base = { statusLine, version: m[1]!, status, reason: m[3] ?? '', headers, head };
  let at = headEnd + 4;
  if (status < 200) return { response: { ...base, body: Buffer.alloc(0), wireBody: Buffer.alloc(0), framing: 'none' }, used: at };
  if (o.noBody || status === 204 || status === 304) {
    return { response: { ...base, body: Buffer.alloc(0), wireBody: Buffer.alloc(0), framing: 'none' }, used: at };
  }
  const te = headerValues(base, 'transfer-encoding').join(',').toLowerCase();
  if (te.includes('chunked')) {
    const start = at;
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd === -1) return null;
      const size = parseInt(buf.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      at = lineEnd + 2;
      if (size === 0) {
        // Trailers, then the blank line.
        for (;;) {
          const end = buf.indexOf('\r\n', at);
          if (end === -1) return null;
          const empty = end === at;
          at = end + 2;
          if (empty) break;
        }
        return { response: { ...base, body: Buffer.concat(parts), wireBody: buf.subarray(start, at), framing: 'chunked' }, used: at };
      }
      if (buf.length < at + size + 2) return null;
      parts.push(buf.subarray(at, at + size));
      at += size + 2;
    }
  }
  const cl = headerValues(base, 'content-length')[0];
  if (cl !== undefined) {
    const n = Number(cl);
    if (buf.length < at + n) return null;
    const body = buf.subarray(at, at + n);
    return { response: { ...base, body, wireBody: body, framing: 'length' }, used: at + n };
  }
  if (!o.ended) return null;
  const body = buf.subarray(at);
  return { response: { ...base, body, wireBody: body, framing: 'close' }, used: buf.length };
}

/** A client on one raw TCP connection: exact bytes out, exact bytes in. */
export class RawClient {
  readonly socket: net.Socket;
  /** Bytes received and not yet consumed by readResponse. */
  buf = Buffer.alloc(0);
  /** Every byte received, never consumed. */
  all = Buffer.alloc(0);
  ended = false;
  closed = false;
  error: Error | null = null;
  private wake: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.all = Buffer.concat([this.all, c]);
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (err) => {
      this.error = err;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.ended = true;
      this.notify();
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  /** Waits until `probe` holds, failing after `timeoutMs` with `what` in the message. */
  async waitFor(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received so far: ${JSON.stringify(this.all.toString('latin1').slice(0, 600))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.wake.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Reads and consumes the next complete response. */
  async readResponse(o: { noBody?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
    let parsed: ReturnType<typeof parseResponse> = null;
    await this.waitFor(
      () => {
        parsed = parseResponse(this.buf, { noBody: o.noBody, ended: this.ended });
        if (parsed === null && this.ended) throw new Error(`connection ended before a complete response: ${JSON.stringify(this.buf.toString('latin1').slice(0, 600))}`);
        return parsed !== null;
      },
      'a complete response',
      o.timeoutMs,
    );
    const { response, used } = parsed!;
    this.buf = this.buf.subarray(used);
    return response;
  }

  waitEnded(timeoutMs = 5_000): Promise<void> {
    return this.waitFor(() => this.ended, 'the connection to end', timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Writes `request` on a fresh connection and returns the one response read from it. */
export async function rawExchange(port: number, request: string | Buffer, o: { noBody?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  const c = await RawClient.connect(port);
  try {
    await c.write(request);
    return await c.readResponse(o);
  } finally {
    c.destroy();
  }
}

/** A GET request's exact bytes. */
export function get(path: string, headers: Array<[string, string]> = [], method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: app.example\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

/** A pino destination that keeps its JSON lines. */
export class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  records(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  messages(): string[] {
    return this.records().map((r) => String(r.msg ?? ''));
  }
}

/** A log destination that parses each JSON line into `logs` as it is written, for suites that read the log live. */
export function jsonLogSink<T>(): { logs: T[]; destination: Writable } {
  const logs: T[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as T);
      done();
    },
  });
  return { logs, destination };
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export async function eventually(probe: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
