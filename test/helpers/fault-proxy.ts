import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, startStrangler, type StranglerProcess } from './strangler-process.js';

/**
 * The fault suite's proxy: the built `strangler start` in a child process,
 * its rule file and ledger in a temp folder, and the three places a user
 * looks when something breaks: the answer (with a client-side deadline, so
 * a hang fails the test instead of stalling it), /metrics on the admin
 * port, and the JSON log lines on stdout. The ledger is read through the
 * admin API, as an operator would.
 */

export const TOKEN = 'fault-suite-token-0123456789abcdef';

/** How long any one answer may take before the test calls it a hang. */
export const DEADLINE_MS = 5_000;

export interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: any;
  sha256: string;
}

export type LogRecord = Record<string, unknown> & { msg?: string; level?: number };

/** Settles with `promise`, or fails naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** One request with a deadline over the whole exchange, body included. */
export async function ask(url: string, o: { method?: string; headers?: Record<string, string>; body?: string; deadlineMs?: number } = {}): Promise<Answer> {
  const ms = o.deadlineMs ?? DEADLINE_MS;
  const what = `${o.method ?? 'GET'} ${url}`;
  return within(
    (async () => {
      const res = await fetch(url, { method: o.method, headers: o.headers, body: o.body, signal: AbortSignal.timeout(ms + 1_000) });
      const body = Buffer.from(await res.arrayBuffer());
      const text = body.length < 1_000_000 ? body.toString('utf8') : '';
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, body, text, json, sha256: createHash('sha256').update(body).digest('hex') };
    })(),
    ms,
    what,
  );
}

/** Sums the samples of a metric whose labels include `labels`; 0 when there are none. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) have[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface EndpointTotals {
  requests: number;
  error: number;
  '2xx': number;
  '5xx': number;
  bytesOut: number;
  outcomes: Record<string, number>;
}

export interface FaultProxy {
  readonly dir: string;
  readonly ruleFile: string;
  readonly dbFile: string;
  proc: StranglerProcess;
  readonly url: string;
  readonly adminUrl: string;
  get(p: string, o?: { headers?: Record<string, string>; deadlineMs?: number }): Promise<Answer>;
  admin(p: string, o?: { method?: string; body?: string; token?: string | null; deadlineMs?: number }): Promise<Answer>;
  metrics(): Promise<string>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Waits until a metric reaches `atLeast`, and returns it. */
  metricAtLeast(name: string, labels: Record<string, string>, atLeast: number, timeoutMs?: number): Promise<number>;
  /** The log lines written so far (JSON lines only). */
  logs(): LogRecord[];
  /** Waits for a log line that `match` accepts. */
  logged(match: (r: LogRecord) => boolean, what: string, timeoutMs?: number): Promise<LogRecord>;
  /** The ledger's totals for the endpoints whose path starts with `prefix`, through the admin API (traffic and shadow outcomes). */
  ledger(prefix: string): Promise<EndpointTotals>;
  /** Starts the process again on the same rule file and ledger. */
  restart(env?: Record<string, string>): Promise<void>;
  /** SIGTERM, and the exit it led to. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process if it still runs, and removes the folder. */
  close(): Promise<void>;
}

/** `rules` gets the folder and returns the rule file's text; `database: ./ledger.db` and the admin block are added. */
export async function startFaultProxy(rules: string, o: { env?: Record<string, string>; beforeStart?: (dir: string) => Promise<void> | void } = {}): Promise<FaultProxy> {
  await ensureBuilt();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-fault-'));
  const ruleFile = path.join(dir, 'strangler.yaml');
  const dbFile = path.join(dir, 'ledger.db');
  await writeFile(ruleFile, `database: ./ledger.db\nadmin:\n  listen: "127.0.0.1:0"\n  token: "${TOKEN}"\n${rules}`);
  await o.beforeStart?.(dir);

  let proc = await startStrangler(ruleFile, 15_000, o.env);
  const fp: FaultProxy = {
    dir,
    ruleFile,
    dbFile,
    get proc() {
      return proc;
    },
    set proc(p) {
      proc = p;
    },
    get url() {
      return proc.url;
    },
    get adminUrl() {
      return proc.adminUrl;
    },
    get: (p, opts = {}) => ask(proc.url + p, opts),
    admin: (p, opts = {}) => {
      const headers: Record<string, string> = {};
      if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      return ask(proc.adminUrl + p, { method: opts.method, headers, body: opts.body, deadlineMs: opts.deadlineMs });
    },
    async metrics() {
      const a = await ask(`${proc.adminUrl}/metrics`);
      if (a.status !== 200) throw new Error(`/metrics answered ${a.status}`);
      return a.text;
    },
    async metric(name, labels = {}) {
      return metricValue(await fp.metrics(), name, labels);
    },
    metricAtLeast(name, labels, atLeast, timeoutMs = 5_000) {
      return until(
        async () => {
          const v = await fp.metric(name, labels);
          return v >= atLeast ? v : undefined;
        },
        `${name}${JSON.stringify(labels)} >= ${atLeast}`,
        timeoutMs,
      );
    },
    logs() {
      const out: LogRecord[] = [];
      for (const line of proc.output().split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          out.push(JSON.parse(line) as LogRecord);
        } catch {
          /* a line still being written */
        }
      }
      return out;
    },
    logged(match, what, timeoutMs = 5_000) {
      return until(() => fp.logs().find(match), `a log line: ${what}`, timeoutMs);
    },
    async ledger(prefix) {
      const [endpoints, report] = await Promise.all([fp.admin('/api/endpoints'), fp.admin('/api/report')]);
      if (endpoints.status !== 200 || report.status !== 200) throw new Error(`admin API: ${endpoints.status} ${report.status}`);
      const t: EndpointTotals = { requests: 0, error: 0, '2xx': 0, '5xx': 0, bytesOut: 0, outcomes: {} };
      for (const e of endpoints.json as Array<{ path: string; requests: number; bytesOut: number; statusClasses: Record<string, number> }>) {
        if (!e.path.startsWith(prefix)) continue;
        t.requests += e.requests;
        t.error += e.statusClasses.error ?? 0;
        t['2xx'] += e.statusClasses['2xx'] ?? 0;
        t['5xx'] += e.statusClasses['5xx'] ?? 0;
        t.bytesOut += e.bytesOut;
      }
      for (const e of (report.json as { endpoints: Array<{ path: string; outcomes: Record<string, number> }> }).endpoints) {
        if (!e.path.startsWith(prefix)) continue;
        for (const [k, n] of Object.entries(e.outcomes)) t.outcomes[k] = (t.outcomes[k] ?? 0) + n;
      }
      return t;
    },
    async restart(env) {
      await fp.stop();
      proc = await startStrangler(ruleFile, 15_000, env ?? o.env);
    },
    async stop() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 12_000);
      try {
        return await proc.exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fp;
}
