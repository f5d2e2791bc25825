import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jsonLogSink } from './transparency-upstream.js';
import { startFromFile, type StartedStrangler } from '../../src/cli/start.js';
import { createLogger } from '../../src/log.js';

/**
 * A whole strangler stack for tests: a real legacy server and real service
 * servers on port 0, a rule file and its SQLite database in a fresh temp
 * folder, and `startFromFile` with the data plane and the admin API on
 * ephemeral ports. Log lines are captured as parsed JSON.
 *
 *   const stack = await startLedgerStack({ services: ['orders'], rules: (u) => `legacy: ${u.legacy}\n…` });
 *   await stack.api('GET', '/api/routes');
 *   await stack.close();
 *
 * The rule text must not set `listen` or `admin.listen` (the stack picks
 * ports); `database: ./strangler.db` keeps the ledger in the temp folder.
 */

/** An upstream that answers `{ from, method, url }` as JSON, and counts what it saw. */
export interface Upstream {
  name: string;
  url: string;
  /** `METHOD /path?query` of every request it answered, in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startUpstream(name: string): Promise<Upstream> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      // `/status/404` lets a test produce other status classes.
      const m = /\/status\/(\d{3})$/.exec(req.url ?? '');
      res.writeHead(m ? Number(m[1]) : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ from: name, method: req.method, url: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface StackUrls {
  legacy: string;
  services: Record<string, string>;
}

export interface StackOptions {
  /** Names of the service servers to start. */
  services?: string[];
  /** The rule file's YAML, given the upstreams' URLs. */
  rules: (urls: StackUrls) => string;
  /** The bearer token `api` sends: the rule text's admin.token (it is not parsed out); defaults to the generated one. */
  token?: string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: any;
}

export interface LedgerStack {
  dir: string;
  ruleFile: string;
  legacy: Upstream;
  services: Record<string, Upstream>;
  urls: StackUrls;
  /** The running strangler; replaced by `restart`. */
  app: StartedStrangler;
  /** Every log line of every start, parsed. */
  logs: Array<Record<string, unknown> & { msg?: string }>;
  /** Calls the admin API with the stack's token (`token: null` sends none). */
  api(method: string, apiPath: string, body?: unknown, opts?: { token?: string | null; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** A request through the data plane. */
  proxy(method: string, p: string): Promise<ApiResponse>;
  /** Rewrites the rule file (the stack's watcher picks it up). */
  writeRules(text: string): Promise<void>;
  /** Stops strangler and starts it again on the same file and database; `whileStopped` runs in between. */
  restart(whileStopped?: () => Promise<void>): Promise<StartedStrangler>;
  close(): Promise<void>;
}

async function toResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

export async function startLedgerStack(opts: StackOptions): Promise<LedgerStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-stack-'));
  const ruleFile = path.join(dir, 'strangler.yaml');
  const legacy = await startUpstream('legacy');
  const services: Record<string, Upstream> = {};
  for (const name of opts.services ?? []) services[name] = await startUpstream(name);
  const urls: StackUrls = { legacy: legacy.url, services: Object.fromEntries(Object.entries(services).map(([k, s]) => [k, s.url])) };
  await writeFile(ruleFile, opts.rules(urls));

  const { logs, destination } = jsonLogSink<LedgerStack['logs'][number]>();
  const start = () => startFromFile(ruleFile, { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', signals: false, logger: createLogger({ level: 'debug', destination }) });

  const stack: LedgerStack = {
    dir,
    ruleFile,
    legacy,
    services,
    urls,
    app: await start(),
    logs,
    async api(method, apiPath, body, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const token = o.token === undefined ? opts.token ?? stack.app.generatedToken : o.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined && typeof body !== 'string') headers['content-type'] = 'application/json';
      else if (typeof body === 'string') headers['content-type'] ??= 'application/json';
      const res = await fetch(stack.app.admin.url + apiPath, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return toResponse(res);
    },
    async proxy(method, p) {
      return toResponse(await fetch(stack.app.proxy.url + p, { method }));
    },
    writeRules: (text) => writeFile(ruleFile, text),
    async restart(whileStopped) {
      await stack.app.stop();
      await whileStopped?.();
      stack.app = await start();
      return stack.app;
    },
    async close() {
      await stack.app.stop();
      await legacy.close();
      for (const s of Object.values(services)) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
