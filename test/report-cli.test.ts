import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openOffline } from './helpers/offline-page.js';
import { legacyRoute, ruleYaml, shadowRoute, type RuleUrls } from './helpers/rule-yaml.js';
import { json, startShadowStack, waitFor, type Handler, type ShadowStack } from './helpers/shadow-stack.js';
import { ensureBuilt, REPO } from './helpers/strangler-process.js';

/**
 * `strangler report` and `strangler sample` as a CI job runs them: the
 * built bin/strangler.js in a child process, against a stack that has
 * seen real shadow traffic (a legacy server, a service, the proxy and its
 * SQLite ledger), first through the admin API, then straight from the
 * database file once the proxy has stopped. The CI gate is judged by its
 * exit status and what it writes on stderr.
 */

const TOKEN = 'report-cli-token-0123456789';
const N = 30;
const FEW = 3;

/** `/bad/{id}` differs in $.total on every request; `/good/{id}` and `/few/{id}` match. */
function answer(side: 'legacy' | 'service'): Handler {
  return (req, res) => {
    const [, kind, id] = (req.url ?? '/').split('/');
    json(res, 200, { id, kind, total: kind === 'bad' && side === 'service' ? 99 : 100 });
  };
}

const rules = (u: RuleUrls) =>
  ruleYaml(u, {
    token: TOKEN,
    guard: { minSamples: 20, minMatchRate: 99 },
    routes: [shadowRoute('good'), shadowRoute('bad'), shadowRoute('few'), legacyRoute('plain', '/plain/**')],
  });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let stack: ShadowStack;
let browser: Browser;

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['STRANGLER_ADMIN_URL', 'STRANGLER_ADMIN_TOKEN', 'COLUMNS', 'NO_COLOR', 'FORCE_COLOR']) delete base[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin/strangler.js'), ...args], { cwd: stack.dir, env: { ...base, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Through the admin API, named by environment as a CI job would. */
const api = (...args: string[]) => cli(args, { STRANGLER_ADMIN_URL: stack.app.admin.url, STRANGLER_ADMIN_TOKEN: TOKEN });
const dbFile = () => path.join(stack.dir, 'strangler.db');
/** Straight from the database file. */
const fromDb = (...args: string[]) => cli([...args, '--db', dbFile()]);

function sh(command: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { timeout: 15_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 99) : 0, stdout, stderr }));
  });
}

let badSample: number;

beforeAll(async () => {
  await ensureBuilt();
  stack = await startShadowStack({ legacy: answer('legacy'), services: { shop: answer('service') }, rules, token: TOKEN });
  for (let i = 0; i < N; i++) {
    expect((await stack.proxy('GET', `/good/${i}`)).status).toBe(200);
    expect((await stack.proxy('GET', `/bad/${i}?page=1`, { headers: { authorization: 'Bearer very-secret' } })).status).toBe(200);
  }
  for (let i = 0; i < FEW; i++) await stack.proxy('GET', `/few/${i}`);
  for (let i = 0; i < 4; i++) await stack.proxy('GET', `/plain/${i}`);
  const doc = await waitFor(
    async () => {
      const d = await stack.report();
      const compared = (p: string) => d.endpoints.find((e: { path: string }) => e.path === p)?.compared;
      return compared('/good/{id}') === N && compared('/bad/{id}') === N && compared('/few/{id}') === FEW ? d : undefined;
    },
    'every comparison in the report',
    10_000,
  );
  badSample = doc.endpoints.find((e: { path: string }) => e.path === '/bad/{id}').differences[0].samples[0];
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('strangler report through the admin API', () => {
  it('prints a terminal table by default: no colour in a pipe, the difference group under its endpoint', async () => {
    const r = await api('report');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stdout).toContain(`shadow report, window all, generated `);
    expect(r.stdout).toContain(`from the admin API at ${stack.app.admin.url}`);
    expect(r.stdout).toContain('3 endpoints under comparison: 1 ready, 1 not ready, 1 unknown; 1 more not shadowed');
    const lines = r.stdout.split('\n');
    const bad = lines.findIndex((l) => l.startsWith('GET /bad/{id}'));
    expect(lines[bad]).toMatch(/^GET \/bad\/\{id\}\s+bad\s+shadow\s+30\s+30\s+0%\s+not ready$/);
    expect(lines[bad + 1]).toMatch(/^\s{4}DIFFERENCE\s+KIND\s+COUNT\s+NOISE\s+VERDICT$/);
    expect(lines[bad + 2]).toMatch(/^\s{4}\$\.total\s+changed\s+30\s+0\s+regression$/);
    expect(r.stdout).toMatch(/\nGET \/good\/\{id\}\s+good\s+shadow\s+30\s+30\s+100%\s+ready\n/);
    expect(r.stdout).toMatch(/\nGET \/plain\/\{id\}\s+plain\s+legacy\s+4\s+-\s+-\s+not shadowed/);
  });

  it('fits COLUMNS and colours with FORCE_COLOR, as terminals and CI logs ask', async () => {
    const narrow = await cli(['report'], { STRANGLER_ADMIN_URL: stack.app.admin.url, STRANGLER_ADMIN_TOKEN: TOKEN, COLUMNS: '60' });
    expect(narrow.code).toBe(0);
    for (const line of narrow.stdout.trimEnd().split('\n')) expect([...line].length, line).toBeLessThanOrEqual(60);
    const coloured = await cli(['report'], { STRANGLER_ADMIN_URL: stack.app.admin.url, STRANGLER_ADMIN_TOKEN: TOKEN, FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\x1b[31mnot ready\x1b[0m');
    const plain = await cli(['report'], { STRANGLER_ADMIN_URL: stack.app.admin.url, STRANGLER_ADMIN_TOKEN: TOKEN, FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(plain.stdout).not.toMatch(/\x1b\[/);
  });

  it('--format md, --format junit --out FILE', async () => {
    const md = await api('report', '--format', 'md');
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('| `GET /bad/{id}` | `bad` | shadow | 30 | 30 | 0% | ❌ not ready |');
    expect(md.stdout).toContain('| `$.total` | changed | 30 | 0 | **regression** |');

    const out = path.join(stack.dir, 'junit.xml');
    const junit = await api('report', '--format', 'junit', '--out', out);
    expect(junit.code).toBe(0);
    expect(junit.stdout).toBe(`wrote ${out}: junit report of 4 endpoints\n`);
    const xml = await readFile(out, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toMatch(/<testcase classname="strangler\.shadow\.bad" name="GET \/bad\/\{id\}" time="0">\s*<failure message="net match rate 0% is under the guard&apos;s 99%"/);
    expect(xml).toMatch(/name="GET \/few\/\{id\}"[^>]*>\s*<skipped message="3 compared samples; the guard needs at least 20"\/>/);
  });

  it('--only-failing keeps the endpoints under comparison that are not ready', async () => {
    const r = await api('report', '--format', 'json', '--only-failing');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).endpoints.map((e: { path: string }) => e.path).sort()).toEqual(['/bad/{id}', '/few/{id}']);
    const routed = await api('report', '--format', 'json', '--only-failing', '--route', 'good');
    expect(JSON.parse(routed.stdout).endpoints).toEqual([]);
  });

  it('--format html: one file that a browser shows offline, with the sample side by side and curl commands that replay it', async () => {
    const out = path.join(stack.dir, 'report.html');
    const r = await api('report', '--format', 'html', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const view = await openOffline(browser, await readFile(out, 'utf8'));
    try {
      expect(view.requests).toEqual([]);
      expect(view.errors).toEqual([]);
      const sections = await view.page.$$eval('section.endpoint', (ss) => ss.map((s) => [s.getAttribute('data-endpoint'), s.querySelector('h2 .badge')?.textContent]));
      expect(sections.sort()).toEqual([
        ['GET /bad/{id}', 'not ready'],
        ['GET /few/{id}', 'unknown'],
        ['GET /good/{id}', 'ready'],
      ]);
      const marks = await view.page.$$eval(`#s${badSample} mark.diff`, (ms) => ms.map((m) => [m.closest('.sbs-side')!.getAttribute('data-side'), m.getAttribute('data-path'), m.textContent]));
      expect(marks).toEqual([
        ['legacy', '$.total', '"total": 100'],
        ['other', '$.total', '"total": 99'],
      ]);
      const legacyCurl = await view.page.$eval(`#curl-${badSample}-legacy`, (p) => p.textContent!);
      const serviceCurl = await view.page.$eval(`#curl-${badSample}-service`, (p) => p.textContent!);
      expect(legacyCurl).toContain("--header 'authorization: [redacted]'");
      expect(legacyCurl.split('\n')[0]).toMatch(/^# values shown as \[redacted\]/);
      expect(legacyCurl).toMatch(new RegExp(`${stack.urls.legacy.replace(/[.:/]/g, '\\$&')}/bad/\\d+\\?page=1'?$`));
      expect(serviceCurl).toMatch(new RegExp(`${stack.urls.services.shop!.replace(/[.:/]/g, '\\$&')}/bad/\\d+\\?page=1'?$`));

      // The copied command, run as a user would paste it, reaches legacy with the original path.
      const before = stack.legacy.primaries().length;
      const run = await sh(legacyCurl);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^HTTP\/1\.1 200/);
      const seen = stack.legacy.primaries().slice(before);
      expect(seen.map((s) => s.url)).toEqual([expect.stringMatching(/^\/bad\/\d+\?page=1$/)]);
      expect(seen[0]!.headers.authorization).toBe('[redacted]');
    } finally {
      await view.close();
    }
  });
});

describe('strangler sample', () => {
  it('prints the stored sample as JSON, the same as GET /api/samples/ID', async () => {
    const r = await api('sample', String(badSample));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual((await stack.api('GET', `/api/samples/${badSample}`)).body);
  });

  it('--curl --target service replays the request against the service; --target legacy against legacy', async () => {
    const service = await api('sample', String(badSample), '--curl', '--target', 'service');
    expect(service.code).toBe(0);
    expect(service.stdout).toContain(stack.urls.services.shop);
    const copies = stack.services.shop!.seen.length;
    expect((await sh(service.stdout)).code).toBe(0);
    expect(stack.services.shop!.seen.slice(copies).map((s) => s.url)).toEqual([expect.stringMatching(/^\/bad\/\d+\?page=1$/)]);

    const legacy = await api('sample', String(badSample), '--curl', '--target', 'legacy');
    expect(legacy.stdout).toContain(stack.urls.legacy);
    expect(legacy.stdout).not.toContain(stack.urls.services.shop);
  });

  it('--curl alone prints both commands, each under a comment naming its target', async () => {
    const r = await api('sample', String(badSample), '--curl');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^# sample ${badSample} \\(GET /bad/\\d+\\?page=1\\) against legacy at ${stack.urls.legacy.replace(/[.:/]/g, '\\$&')}\n`));
    expect(r.stdout).toContain(`\n\n# sample ${badSample} (GET /bad/`);
    expect(r.stdout).toContain(`against shop at ${stack.urls.services.shop}`);
  });

  it('an unknown id exits 1 saying where it looked; a malformed one exits 2', async () => {
    const none = await api('sample', '999999');
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`strangler: no sample 999999 in the admin API at ${stack.app.admin.url}; sample ids are listed under each difference group of \`strangler report\`\n`);
    const bad = await api('sample', 'abc', '--curl');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'abc' is invalid");
    const target = await api('sample', '1', '--target', 'staging');
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('legacy or service');
  });
});

describe('the CI gate', () => {
  it('through the API: exits 1 and names each endpoint under the rate or with too few samples', async () => {
    const r = await api('report', '--fail-under', '99.5', '--min-samples', '20');
    expect(r.code).toBe(1);
    // The report is still printed; the verdict goes to stderr.
    expect(r.stdout).toContain('GET /bad/{id}');
    expect(r.stderr).toBe(
      [
        'strangler: the gate (--fail-under 99.5 --min-samples 20) fails for 2 of 3 endpoints under comparison:',
        '  GET /bad/{id}: net match rate 0% is under 99.5%',
        '  GET /few/{id}: 3 compared samples; the gate needs at least 20',
        '',
      ].join('\n'),
    );
  });

  it('from the database file after the proxy stopped: the same verdict', async () => {
    await stack.stop();
    const r = await fromDb('report', '--format', 'junit', '--fail-under', '99.5', '--min-samples', '20');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('  GET /bad/{id}: net match rate 0% is under 99.5%\n');
    expect(r.stderr).toContain('  GET /few/{id}: 3 compared samples; the gate needs at least 20\n');
    expect(r.stderr).not.toContain('/good/');
    // The JUnit report agrees with the exit status.
    expect(r.stdout).toMatch(/<testsuites [^>]*tests="3" failures="2"/);
  });

  it('exits 0 when every endpoint judged passes, saying so on stderr', async () => {
    const r = await fromDb('report', '--route', 'good', '--fail-under', '99.5', '--min-samples', '20');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('gate passed (--fail-under 99.5 --min-samples 20): 1 endpoint under comparison\n');
    const all = await fromDb('report', '--format', 'json', '--fail-under', '0', '--min-samples', String(FEW));
    expect(all.code).toBe(0);
  });

  it('too few samples alone fails the gate, even when everything compared matched', async () => {
    const few = await fromDb('report', '--endpoint', 'GET /few/{id}', '--min-samples', '20');
    expect(few.code).toBe(1);
    expect(few.stderr).toBe('strangler: the gate (--min-samples 20) fails for 1 of 1 endpoint under comparison:\n  GET /few/{id}: 3 compared samples; the gate needs at least 20\n');
    expect((await fromDb('report', '--endpoint', 'GET /few/{id}', '--fail-under', '99.5', '--min-samples', String(FEW))).code).toBe(0);
  });

  it('a gate with nothing to judge fails rather than pass a typo', async () => {
    const r = await fromDb('report', '--route', 'gdoo', '--fail-under', '99');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has nothing to judge: no endpoint in the report is under shadow comparison');
    // A legacy route's endpoints are not judged.
    expect((await fromDb('report', '--route', 'plain', '--fail-under', '99')).code).toBe(1);
  });

  it('usage errors exit 2 with a message naming the option', async () => {
    const cases: Array<[string[], string]> = [
      [['--fail-under', '101'], "option '--fail-under <percent>' argument '101' is invalid"],
      [['--fail-under', 'high'], 'a net match rate in percent'],
      [['--min-samples', '-1'], "option '--min-samples <n>' argument '-1' is invalid"],
      [['--format', 'xml'], 'use one of text, json, md, html, junit'],
      [['--since', 'yesterday'], 'since "yesterday" is not a duration'],
      [['--fail-undr', '99'], "unknown option '--fail-undr'"],
    ];
    for (const [args, message] of cases) {
      const r = await fromDb('report', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
    }
    // Help is not an error.
    expect((await cli(['report', '--help'])).code).toBe(0);
  });

  it('--format html from the database file has the samples and the rules\' URLs too', async () => {
    const out = path.join(stack.dir, 'offline.html');
    const r = await fromDb('report', '--format', 'html', '--out', out, '--since', '24h', '--route', 'bad');
    expect(r.code).toBe(0);
    const view = await openOffline(browser, await readFile(out, 'utf8'));
    try {
      expect(view.requests).toEqual([]);
      expect(await view.page.$$eval('section.endpoint', (ss) => ss.map((s) => s.getAttribute('data-endpoint')))).toEqual(['GET /bad/{id}']);
      expect(await view.page.$$eval(`#s${badSample} mark.diff`, (ms) => ms.map((m) => m.getAttribute('data-path')))).toEqual(['$.total', '$.total']);
      expect(await view.page.$eval(`#curl-${badSample}-service`, (p) => p.textContent)).toContain(stack.urls.services.shop);
    } finally {
      await view.close();
    }
    const sample = await fromDb('sample', String(badSample), '--curl', '--target', 'legacy');
    expect(sample.code).toBe(0);
    expect(sample.stdout).toContain(stack.urls.legacy);
  });
});
