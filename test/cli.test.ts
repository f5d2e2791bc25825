import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { bucketOf, inCanary } from '../src/router/canary.js';
import { watchRuleFile } from '../src/router/rule-file-watch.js';
import { formatRuleErrors, loadRuleText } from '../src/rules/load.js';
import { RequestView } from '../src/rules/request-view.js';
import { Capture } from './helpers/modes-servers.js';

/**
 * The `strangler` command as a user runs it: `bin/strangler.js` in a child
 * process. The sources are transpiled (no type check; `tsc --noEmit` does
 * that) into a private folder, so this suite neither waits for a full build
 * nor races other suites that build `dist/`.
 */

const root = path.resolve(import.meta.dirname, '..');
let build: string;
let dir: string;

async function transpileTree(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    if (entry.isDirectory()) {
      await transpileTree(src, path.join(to, entry.name));
      continue;
    }
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
    const out = ts.transpileModule(await readFile(src, 'utf8'), {
      fileName: src,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    await mkdir(to, { recursive: true });
    await writeFile(path.join(to, entry.name.replace(/\.ts$/, '.js')), out.outputText);
  }
}

beforeAll(async () => {
  // Inside the project, so that the built files resolve the project's node_modules.
  await mkdir(path.join(root, 'node_modules', '.cache'), { recursive: true });
  build = await mkdtemp(path.join(root, 'node_modules', '.cache', 'strangler-cli-test-'));
  await transpileTree(path.join(root, 'src'), path.join(build, 'dist', 'src'));
  await mkdir(path.join(build, 'bin'));
  await copyFile(path.join(root, 'bin', 'strangler.js'), path.join(build, 'bin', 'strangler.js'));
  await copyFile(path.join(root, 'package.json'), path.join(build, 'package.json'));
  dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-cli-'));
});

afterAll(async () => {
  if (build) await rm(build, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function strangler(args: string[], cwd = dir): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(build, 'bin', 'strangler.js'), ...args], { cwd, timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const GOOD = `# orders are moving to the new service
legacy: http://127.0.0.1:3000
services:
  orders: http://127.0.0.1:3001
  users: { url: "http://127.0.0.1:3002", timeoutMs: 5000 }
routes:
  - name: orders-beta
    match:
      path: /api/orders/{id}
      headers: { x-beta: "1" }
    mode: service
    service: orders
  - name: orders-write
    match: { path: "/api/orders/{id}", methods: [POST, PUT] }
    mode: legacy
  - name: orders
    match:
      path: /api/orders/{id}
    mode: service
    service: orders
    fallback: legacy
  - name: users
    match: { path: /api/users/** }
    mode: canary
    service: users
    canary: { percent: 25, stickyBy: "cookie:uid" }
  - name: old-reports
    match: { path: /reports/** }
    mode: retired
    service: orders
`;

/** Two mistakes: a misspelt field on line 11, and a service that is not defined on line 18. */
const BAD = `legacy: http://127.0.0.1:3000
services:
  orders: http://127.0.0.1:3001
routes:
  - name: orders
    match:
      path: /api/orders/{id}
    mode: service
    service: orders
  - name: users
    mdoe: service
    match:
      path: /api/users/**
  - name: carts
    match:
      path: /api/carts/**
    mode: service
    service: carts
`;

async function ruleFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('strangler validate', () => {
  it('exits 0 with a summary for a good file', async () => {
    const file = await ruleFile('good.yaml', GOOD);
    const r = await strangler(['validate', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${file}: valid, 5 routes (2 service, 1 legacy, 1 canary, 1 retired), 2 services\n`);
  });

  it('reads strangler.yaml in the current folder by default', async () => {
    const here = await mkdtemp(path.join(dir, 'cwd-'));
    await writeFile(path.join(here, 'strangler.yaml'), GOOD);
    const r = await strangler(['validate'], here);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^strangler\.yaml: valid, 5 routes/);
  });

  it('exits 1 and prints file:line:col field: message for each mistake', async () => {
    const file = await ruleFile('bad.yaml', BAD);
    const r = await strangler(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      `${file}:11:5 routes[1].mdoe: unknown field "mdoe"; check its spelling against the rule file reference`,
      `${file}:18:14 routes[2].service: service "carts" is not defined under services (known: orders)`,
    ]);
  });

  it('points at the line and column of a YAML syntax error', async () => {
    const file = await ruleFile('syntax.yaml', GOOD.replace('match: { path: /api/users/** }', 'match: { path: /api/users/** '));
    const r = await strangler(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2[3-4]:\\d+: not valid YAML: `));
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('says so when the file does not exist', async () => {
    const file = path.join(dir, 'missing.yaml');
    const r = await strangler(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${file}:1:1: the file does not exist\n`);
  });

  it('prints the same message the running proxy logs when it refuses the file', async () => {
    const file = await ruleFile('same.yaml', BAD);
    const r = await strangler(['validate', file]);
    expect(r.stderr.trimEnd()).toBe(formatRuleErrors((loadRuleText(BAD, file) as { ok: false; errors: never[] }).errors));

    const log = new Capture();
    const watcher = watchRuleFile(file, () => undefined, createLogger({ destination: log }));
    try {
      expect(await watcher.reload()).toBe(false);
    } finally {
      watcher.close();
    }
    const rejected = log.messages().find((m) => m.startsWith('rule file rejected'));
    expect(rejected).toBeDefined();
    expect(rejected).toContain(r.stderr.trimEnd());
  });
});

describe('strangler match', () => {
  it('names the route, its mode and params, and the candidates passed over', async () => {
    const file = await ruleFile('match.yaml', GOOD);
    const r = await strangler(['match', 'GET', '/api/orders/7', '--config', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'GET /api/orders/7',
      '  normalised path: /api/orders/7',
      '  passed over orders-beta (/api/orders/{id}): header x-beta is not "1"',
      '  passed over orders-write (/api/orders/{id}): method GET not in [POST, PUT]',
      '  matched orders (/api/orders/{id})',
      '→ route orders, mode service, params id=7',
      '  service orders answers; legacy is the fallback for idempotent requests',
    ]);
  });

  it('takes headers and methods into account', async () => {
    const file = await ruleFile('match2.yaml', GOOD);
    const beta = await strangler(['match', 'GET', '/api/orders/7', '-H', 'X-Beta: 1', '--config', file]);
    expect(beta.stdout).toContain('  matched orders-beta (/api/orders/{id})\n→ route orders-beta, mode service, params id=7\n');
    expect(beta.stdout).not.toContain('passed over');
    const post = await strangler(['match', 'post', '/api//orders/./42?x=1', '--config', file]);
    expect(post.stdout).toContain('POST /api//orders/./42?x=1\n  normalised path: /api/orders/42\n');
    expect(post.stdout).toContain('→ route orders-write, mode legacy, params id=42\n  legacy answers\n');
  });

  it('says legacy answers when no route claims the request', async () => {
    const file = await ruleFile('match3.yaml', GOOD);
    const r = await strangler(['match', 'GET', '/checkout/basket', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(['GET /checkout/basket', '  normalised path: /checkout/basket', '→ no route claims it: legacy answers']);
    // {id} takes one segment: a deeper path is not the route's.
    const deeper = await strangler(['match', 'GET', '/api/orders/7/items', '--config', file]);
    expect(deeper.stdout).toContain('→ no route claims it: legacy answers');
  });

  it('explains a canary split and which side a given user lands on', async () => {
    const file = await ruleFile('match4.yaml', GOOD);
    const r = await strangler(['match', 'GET', '/api/users/42/profile', '--config', file]);
    expect(r.stdout).toContain('→ route users, mode canary\n');
    expect(r.stdout).toContain('  25% to service users by cookie:uid, the rest to legacy');
    expect(r.stdout).toContain('  this request has no uid cookie: a per-request draw decides\n');

    // Two users on each side, by the proxy's own split.
    const inside = (uid: string) => inCanary('users', 25, 'cookie:uid', new RequestView('GET', '/api/users/42/profile', { cookie: `uid=${uid}` }));
    const candidates = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const picked = [...candidates.filter(inside).slice(0, 2), ...candidates.filter((u) => !inside(u)).slice(0, 2)];
    expect(picked).toHaveLength(4);
    const runs = await Promise.all(picked.map((uid) => strangler(['match', 'GET', '/api/users/42/profile', '--cookie', `uid=${uid}`, '--config', file])));
    picked.forEach((uid, i) => {
      const out = runs[i]!.stdout;
      expect(out, uid).toContain(`  cookie:uid "${uid}" is in bucket ${bucketOf('users', uid)} of 10000 → ${inside(uid) ? 'service users' : 'legacy'} answers\n`);
    });
  });

  it('exits 1 with the located errors when the rule file is invalid', async () => {
    const file = await ruleFile('match-bad.yaml', BAD);
    const r = await strangler(['match', 'GET', '/api/orders/7', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}:11:5 routes[1].mdoe: unknown field "mdoe"`);
  });
});
