import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startChild, type Child } from './children.js';
import { loadPaths } from './endpoint-mix.js';
import { machineLine } from './machine.js';
import { markdownTable } from './markdown.js';
import { SHADOW_PATH, type HealthReport } from './peer-strangler-shadow.js';
import { boundRun, killPids } from './bounded-run.js';
import { commandMallocEnv, commandNodeFlags } from './command-run.js';

/** The source folder's bench/, not dist/'s. */
const SOAK_PATH = fileURLToPath(new URL('../../bench/SOAK.md', import.meta.url));

/**
 * `npm run soak -- --minutes 10`: steady load through `strangler start`
 * with shadowing on, for minutes, to find what a short benchmark cannot:
 * memory that grows, an event loop that slows down, a ledger that falls
 * behind. Every 30 s it prints the proxy's RSS, heap and event-loop delay,
 * and where the memory is (bench/memory-figures.ts), so that RSS growth can
 * be traced to the V8 space, malloc or the SQLite page cache that holds it.
 * It passes when RSS at the end is within 10 % of RSS after the first
 * minute, nothing was dropped and every request was answered. The proxy
 * runs as `bin/strangler` runs it: with node's flags and the malloc settings
 * from the script; `--glibc-defaults` runs it without the malloc settings
 * (unless this environment sets them), for comparison.
 *
 * The traffic: a fixed rate (--rate, default 1,000 requests/s) over 20
 * connections; half of it GETs on the shadowed route with fresh ids (a copy
 * and a comparison each, up to the route's budget), half the 2,000-path mix
 * of bench/endpoint-mix.ts, so the template learner, the attribution memory
 * and the ledger see many endpoints.
 */

const MAX_GROWTH = 0.1;
const INTERVAL_S = 30;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i === -1 ? process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] : process.argv[i + 1];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
  return n;
}

const minutes = option('minutes', 10);
const rate = option('rate', 1000);
const seconds = Math.round(minutes * 60);

const children: Child[] = [];
const killAll = () => killPids(children.map((c) => c.pid));
boundRun('soak', (seconds + 120) * 1000, killAll);

interface Row extends HealthReport {
  atS: number;
  answered: number;
}

/** The proxy's glibc malloc settings: they change how much freed native memory goes back to the system (README, Memory in long runs). */
const glibcDefaults = process.argv.includes('--glibc-defaults');
const proxyMalloc: Record<string, string> = glibcDefaults
  ? Object.fromEntries(Object.entries(process.env).filter((kv): kv is [string, string] => kv[0].startsWith('MALLOC_') && kv[1] !== undefined))
  : commandMallocEnv();
const nodeFlags = commandNodeFlags();
function mallocLine(): string {
  const set = Object.entries(proxyMalloc).map(([k, v]) => `${k}=${v}`);
  const how = glibcDefaults ? '`--glibc-defaults`' : "bin/strangler's settings";
  const malloc = set.length === 0 ? `malloc: glibc defaults (${how}: no MALLOC_* variables set)` : `malloc: ${set.join(' ')} (${how})`;
  return `${malloc}; node flags: ${nodeFlags.length === 0 ? 'none' : nodeFlags.join(' ')} (bin/strangler's)`;
}

const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
const mbOr = (b: number | null) => (b === null ? '—' : mb(b));
/** A V8 heap space's committed size, MB; '—' for a space this V8 does not have. */
const space = (r: HealthReport, name: string) => {
  const s = r.spaces[name];
  return s === undefined ? '—' : mb(s.sizeBytes);
};

async function main(): Promise<void> {
  const backend = await startChild('backend', './backend.js');
  const service = await startChild('service backend', './backend.js');
  children.push(backend, service);
  const proxy = await startChild('strangler', './peer-strangler-shadow.js', [
    '--mode=shadow',
    `--target=http://127.0.0.1:${backend.port}`,
    `--service=http://127.0.0.1:${service.port}`,
  ], { env: proxyMalloc, nodeFlags });
  children.push(proxy);

  const mix = loadPaths(2_000);
  const shadowBase = SHADOW_PATH.slice(0, SHADOW_PATH.lastIndexOf('/') + 1);
  let n = 0;
  const nextPath = () => (n++ % 2 === 0 ? `${shadowBase}${n}` : mix[n % mix.length]!);
  let answered = 0;
  let failed = 0;
  console.error(`soak: ${minutes} min at ${rate} requests/s through strangler start with shadow 100 %; a line every ${INTERVAL_S} s`);
  const t0 = Date.now();
  const rows: Row[] = [];
  const sample = async () => {
    const h = await proxy.ask<HealthReport>('health');
    const row = { ...h, atS: Math.round((Date.now() - t0) / 1000), answered };
    rows.push(row);
    console.error(
      `  ${String(row.atS).padStart(5)} s  RSS ${mb(row.rssBytes)} MB  heap ${mb(row.heapUsedBytes)} MB  external ${mb(row.externalBytes)} MB  loop delay p50 ${row.loopDelayP50Ms.toFixed(1)} / p99 ${row.loopDelayP99Ms.toFixed(1)} / max ${row.loopDelayMaxMs.toFixed(1)} ms  answered ${answered}  ledger queued ${row.ledger?.queued ?? '—'} dropped ${row.ledger?.dropped ?? '—'}\n` +
        `          anon ${mbOr(row.rssAnonBytes)} file ${mbOr(row.rssFileBytes)} shmem ${mbOr(row.rssShmemBytes)}  heap committed ${mb(row.heapTotalBytes)} (old ${space(row, 'old_space')} new ${space(row, 'new_space')} code ${space(row, 'code_space')} large ${space(row, 'large_object_space')}) resident ${mb(row.heapPhysicalBytes)}  array buffers ${mb(row.arrayBuffersBytes)}  native other ${mbOr(row.nativeOtherBytes)} (of which malloc main arena ${mbOr(row.brkHeapBytes)})  ledger file ${mb(row.ledgerFileBytes)} MB`,
    );
  };
  const timer = setInterval(() => void sample(), INTERVAL_S * 1000);
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${proxy.port}`,
        connections: 20,
        overallRate: rate,
        duration: seconds,
        timeout: 10,
        requests: [{ method: 'GET', setupRequest: (req: object) => ({ ...req, path: nextPath() }) }],
      },
      (err) => (err ? reject(err) : resolve()),
    );
    instance.on('response', (_c: unknown, status: number) => {
      if (status >= 200 && status < 300) answered++;
      else failed++;
    });
    instance.on('reqError', () => failed++);
  });
  clearInterval(timer);
  await sample();
  await Promise.all(children.map((c) => c.stop()));

  // RSS after the first minute: the first sample at or after 60 s (the first one there is, for a short soak).
  const base = rows.find((r) => r.atS >= 60) ?? rows[0]!;
  const end = rows[rows.length - 1]!;
  const growth = (end.rssBytes - base.rssBytes) / base.rssBytes;
  const dropped = end.ledger?.dropped ?? 0;
  const table = markdownTable(
    ['at s', 'RSS MB', 'heap MB', 'external MB', 'loop delay p50 ms', 'loop delay p99 ms', 'loop delay max ms', 'answered', 'ledger queued', 'ledger dropped'],
    rows.map((r) => [String(r.atS), mb(r.rssBytes), mb(r.heapUsedBytes), mb(r.externalBytes), r.loopDelayP50Ms.toFixed(1), r.loopDelayP99Ms.toFixed(1), r.loopDelayMaxMs.toFixed(1), String(r.answered), String(r.ledger?.queued ?? '—'), String(r.ledger?.dropped ?? '—')]),
  );
  // Where the resident memory is, to tell a leak (old space or native memory that keeps growing) from a heap settling at its working size.
  const memoryTable = markdownTable(
    ['at s', 'RSS MB', 'anon MB', 'file MB', 'shmem MB', 'heap committed MB', 'old space MB', 'new space MB', 'code space MB', 'large object MB', 'heap resident MB', 'array buffers MB', 'native other MB', 'main arena MB', 'ledger file MB'],
    rows.map((r) => [String(r.atS), mb(r.rssBytes), mbOr(r.rssAnonBytes), mbOr(r.rssFileBytes), mbOr(r.rssShmemBytes), mb(r.heapTotalBytes), space(r, 'old_space'), space(r, 'new_space'), space(r, 'code_space'), space(r, 'large_object_space'), mb(r.heapPhysicalBytes), mb(r.arrayBuffersBytes), mbOr(r.nativeOtherBytes), mbOr(r.brkHeapBytes), mb(r.ledgerFileBytes)]),
  );
  const ok = Math.abs(growth) <= MAX_GROWTH && failed === 0 && dropped === 0;
  const findings = [
    `- RSS after the first minute ${mb(base.rssBytes)} MB (at ${base.atS} s), at the end ${mb(end.rssBytes)} MB: **${(growth * 100).toFixed(1)} %** (limit ±${MAX_GROWTH * 100} %: ${Math.abs(growth) <= MAX_GROWTH ? 'met' : 'NOT met'})`,
    `- ${answered} answered 2xx, ${failed} failed or non-2xx; ledger dropped ${dropped}`,
    `- soak: ${ok ? 'passed' : 'FAILED'}`,
  ].join('\n');
  const report = `# Soak\n\nWritten by \`npm run soak -- --minutes ${minutes} --rate ${rate}${glibcDefaults ? " --glibc-defaults" : ""}\`. Do not edit by hand.\n\n${machineLine()}\n\n${mallocLine()}\n\n${table}\n\nWhere the memory is: anon, file and shmem are the kernel's split of RSS (/proc/self/status); the heap figures are V8's committed sizes by space (v8.getHeapSpaceStatistics), heap resident its pages in RAM; native other is anon minus heap resident minus external (malloc: SQLite's page cache, HTTP parsers, thread stacks), main arena the resident part of it that the main thread's malloc holds (the \`[heap]\` mapping, where SQLite's page cache lives); ledger file is the SQLite file's size.\n\n${memoryTable}\n\n${findings}\n`;
  writeFileSync(SOAK_PATH, report);
  console.log(`\n${report}\nwritten to ${SOAK_PATH}`);
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  killAll();
  process.exit(1);
});
