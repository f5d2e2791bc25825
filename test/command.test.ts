import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, REPO, startLegacy, startStranglerCommand, type StranglerProcess } from './helpers/strangler-process.js';

/**
 * `bin/strangler`, the command npm installs: a shell script that sets glibc
 * malloc for a long-running process and execs node. What an operator
 * relies on: the process they started is the proxy (same pid, so their
 * signals and their supervisor's reach it), it runs with the memory
 * settings unless they chose their own, and it works through npm's symlink.
 */

const MALLOC = ['MALLOC_ARENA_MAX', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_MMAP_THRESHOLD_'];
const onLinux = process.platform === 'linux';

let dir: string;
let legacy: Awaited<ReturnType<typeof startLegacy>>;
let ruleFile: string;
const started: StranglerProcess[] = [];

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-command-'));
  legacy = await startLegacy();
  ruleFile = path.join(dir, 'strangler.yaml');
  await writeFile(ruleFile, `legacy: ${legacy.url}\ndatabase: ./strangler.db\nadmin: { listen: "127.0.0.1:0" }\nroutes: []\n`);
}, 200_000);

afterAll(async () => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await legacy?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The environment of a running process, as the kernel holds it (what malloc read when it started). */
async function environOf(pid: number): Promise<Map<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
  return new Map(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

function without(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !names.includes(k)) out[k] = v;
  return out;
}

describe.runIf(onLinux)('bin/strangler start', () => {
  it('is the proxy itself (the same pid runs node), with the malloc settings and V8 flag for long runs; SIGTERM to that pid stops it cleanly', async () => {
    // The test runner's own malloc settings, if any, must not decide the outcome.
    const saved = Object.fromEntries(MALLOC.map((k) => [k, process.env[k]]));
    for (const k of MALLOC) delete process.env[k];
    let proc: StranglerProcess;
    try {
      proc = await startStranglerCommand(ruleFile);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    }
    started.push(proc);
    const pid = proc.child.pid!;
    expect(await readlink(`/proc/${pid}/exe`)).toBe(await readlink('/proc/self/exe'));
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    expect(argv).toContain(path.join(REPO, 'bin', 'strangler.js'));
    // Before the script, where node hands it to V8 (node refuses a flag V8 does not know, and the proxy would not answer below).
    expect(argv.indexOf('--no-memory-reducer')).toBeGreaterThan(0);
    expect(argv.indexOf('--no-memory-reducer')).toBeLessThan(argv.indexOf(path.join(REPO, 'bin', 'strangler.js')));
    const env = await environOf(pid);
    expect(MALLOC.map((k) => env.get(k))).toEqual(['2', '131072', '131072']);

    const res = await fetch(`${proc.url}/anything`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();

    process.kill(pid, 'SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });

  it("keeps the operator's own malloc settings", async () => {
    const proc = await startStranglerCommand(ruleFile, 15_000, { MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '1048576' });
    started.push(proc);
    const env = await environOf(proc.child.pid!);
    expect(MALLOC.map((k) => env.get(k))).toEqual(['4', '131072', '1048576']);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });
});

describe('bin/strangler through a symlink, as npm installs it in node_modules/.bin', () => {
  it('finds its own folder and runs', async () => {
    const link = path.join(dir, 'strangler');
    await symlink(path.join(REPO, 'bin', 'strangler'), link);
    const version = (JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(link, ['--version'], { cwd: dir, env: without(process.env, MALLOC), timeout: 15_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    expect(out.trim()).toBe(version);
  });
});
