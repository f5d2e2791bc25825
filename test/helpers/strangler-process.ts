import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built `strangler` command as a child process, for tests that need a
 * real process to signal or kill. The build is shared by every test file
 * that needs it: one at a time (a lock folder), and only when a source file
 * is newer than the last build.
 */

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const STAMP = path.join(REPO, 'dist', '.test-build-stamp');
const LOCK = path.join(REPO, 'dist', '.test-build-lock');

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function sourcesMtime(): number {
  return Math.max(
    newestMtime(path.join(REPO, 'src')),
    ...['tsconfig.json', 'tsconfig.build.json', 'tsconfig.ui.json', 'package.json'].map((f) => statSync(path.join(REPO, f)).mtimeMs),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds dist/ with `tsc -p tsconfig.build.json` and the dashboard's `tsc -p tsconfig.ui.json`, unless it is up to date. */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(path.join(REPO, 'dist'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a killed run is taken over after two minutes.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${LOCK}`);
      await sleep(100);
    }
  }
  try {
    const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
    const outputs = ['dist/src/cli/main.js', 'dist/src/admin/ui/main.js'];
    if (built >= sourcesMtime() && outputs.every((f) => existsSync(path.join(REPO, f)))) return;
    const startedAt = new Date();
    for (const [config, output] of [['tsconfig.build.json', outputs[0]!], ['tsconfig.ui.json', outputs[1]!]] as const) {
      const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', config], {
        cwd: REPO,
        encoding: 'utf8',
      });
      if (!existsSync(path.join(REPO, output))) {
        throw new Error(`npx tsc -p ${config} failed (${tsc.status}):\n${tsc.stdout}${tsc.stderr}`);
      }
      // tsc emits despite type errors; those are the type check's to report (npm test runs it first), not this suite's.
      if (tsc.status !== 0) console.warn(`tsc -p ${config} reported errors:\n${tsc.stdout}${tsc.stderr}`);
    }
    // Stamped with the start time, so a file saved during the build makes the next run build again.
    writeFileSync(STAMP, '');
    utimesSync(STAMP, startedAt, startedAt);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export interface StranglerProcess {
  child: ChildProcess;
  url: string;
  adminUrl: string;
  /** Everything the process wrote so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node bin/strangler.js start -c FILE --listen 127.0.0.1:0 [ARGS]` and waits until it listens; `env` adds to its environment. */
export function startStrangler(ruleFile: string, timeoutMs = 15_000, env: Record<string, string> = {}, args: string[] = []): Promise<StranglerProcess> {
  return launch([process.execPath, path.join(REPO, 'bin/strangler.js')], ruleFile, timeoutMs, env, args);
}

/** The same through `bin/strangler`, the command npm installs (a shell script that execs node). */
export function startStranglerCommand(ruleFile: string, timeoutMs = 15_000, env: Record<string, string> = {}, args: string[] = []): Promise<StranglerProcess> {
  return launch([path.join(REPO, 'bin/strangler')], ruleFile, timeoutMs, env, args);
}

async function launch([command, ...prefix]: string[], ruleFile: string, timeoutMs: number, env: Record<string, string>, args: string[]): Promise<StranglerProcess> {
  const child = spawn(command!, [...prefix, 'start', '-c', ruleFile, '--listen', '127.0.0.1:0', ...args], {
    cwd: REPO,
    env: { ...process.env, STRANGLER_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<{ url: string; adminUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`strangler did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      for (const line of out.split('\n')) {
        if (!line.includes('strangler listening on')) continue;
        try {
          const entry = JSON.parse(line) as { listen: string; admin: string };
          clearTimeout(timer);
          resolve({ url: entry.listen, adminUrl: entry.admin });
        } catch {
          /* a partial line; the rest comes with the next chunk */
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`strangler exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  const { url, adminUrl } = await listening;
  return { child, url, adminUrl, output: () => out, exited };
}

/** A small stand-in for the monolith: answers every path with JSON naming it. */
export async function startLegacy(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ from: 'legacy', method: req.method, url: req.url });
      res.writeHead(req.url?.includes('missing') ? 404 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A rule file in `dir` that sends /api/orders/** through a route and the rest to legacy, with its ledger next to it. */
export function writeRuleFile(dir: string, legacyUrl: string): string {
  const file = path.join(dir, 'strangler.yaml');
  writeFileSync(
    file,
    [
      `listen: "127.0.0.1:1"`,
      `legacy: "${legacyUrl}"`,
      `database: ./ledger.db`,
      `admin:`,
      `  listen: "127.0.0.1:0"`,
      `  token: "test-token-0123456789abcdef"`,
      `routes:`,
      `  - name: orders`,
      `    match: { path: /api/orders/** }`,
      `    mode: legacy`,
      '',
    ].join('\n'),
  );
  return file;
}
