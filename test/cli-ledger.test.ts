import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleText } from '../src/rules/load.js';
import { canonicalJson, tableOf } from '../src/rules/rule-table.js';
import { planTable, renderPlan } from '../src/cli/table-plan.js';
import { RuleFileSchema } from '../src/rules/schema.js';
import { startLedgerStack, waitFor, type LedgerStack } from './helpers/ledger-stack.js';
import { ensureBuilt, REPO } from './helpers/strangler-process.js';

/**
 * The `strangler` ledger commands as a user runs them: the built
 * bin/strangler.js in a child process, against a real stack (proxy, admin
 * API, SQLite file, upstream servers) running in this process, then
 * against the database file alone once the stack has stopped.
 */

const TOKEN = 'cli-test-token-0123456789';
let stack: LedgerStack;
let stopped = false;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Asynchronous on purpose: the stack the command talks to runs on this event loop. */
function cli(args: string[], env: Record<string, string | undefined> = {}, cwd = stack.dir): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env, STRANGLER_AUTHOR: 'ci-test' };
  delete base.STRANGLER_ADMIN_URL;
  delete base.STRANGLER_ADMIN_TOKEN;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO, 'bin/strangler.js'), ...args],
      { cwd, env: { ...base, ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 99) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Through the admin API, named by environment as an operator would. */
const api = (...args: string[]) => cli(args, { STRANGLER_ADMIN_URL: stack.app.admin.url, STRANGLER_ADMIN_TOKEN: TOKEN });
/** Straight from the database file. */
const fromDb = (...args: string[]) => cli([...args, '--db', path.join(stack.dir, 'strangler.db')]);

const json = <T = any>(r: Run): T => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
};

const inForce = async (): Promise<number> => json<{ inForce: number }>(await api('history', '--json')).inForce;

const RULES = (u: { legacy: string; services: Record<string, string> }) => `
legacy: ${u.legacy}
services:
  orders: ${u.services.orders}
admin:
  token: ${TOKEN}
routes:
  - name: orders
    match: { path: "/api/orders/{id}", methods: [GET] }
    mode: shadow
    service: orders
  - name: users
    match: { path: "/api/users/**" }
    mode: service
    service: orders
`;

beforeAll(async () => {
  await ensureBuilt();
  stack = await startLedgerStack({ services: ['orders'], rules: RULES, token: TOKEN });
  for (let i = 0; i < 5; i++) await stack.proxy('GET', `/api/orders/${i}`);
  for (let i = 0; i < 3; i++) await stack.proxy('GET', `/api/users/${i}/posts`);
  for (let i = 0; i < 7; i++) await stack.proxy('GET', '/reports/daily');
  await waitFor(() => {
    stack.app.ledger!.flush();
    return stack.app.ledger!.stats.written >= 15;
  }, 'the ledger to hold 15 exchanges');
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

describe('read-only commands through the admin API', () => {
  it('status shows endpoints by mode, the share served by services and the work queue', async () => {
    const r = await api('status');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`migration progress (last 24h), from the admin API at ${stack.app.admin.url}`);
    expect(r.stdout).toContain('endpoints: 3 known');
    expect(r.stdout).toMatch(/legacy\s+1\s+33\.33%/);
    expect(r.stdout).toMatch(/service\s+1\s+33\.33%/);
    expect(r.stdout).toContain('traffic: 15 requests, 20% served by new services');
    expect(r.stdout).toMatch(/work queue: legacy endpoints by traffic[^\n]*\n\s+REQUESTS\s+METHOD\s+PATH\n\s+7\s+GET\s+\/reports\/daily/);

    const p = json(await api('status', '--json'));
    expect(p.traffic).toMatchObject({ total: 15, servedByServicesShare: 20, byTarget: { legacy: 12, orders: 3 } });
    expect(p.workQueue).toEqual([{ method: 'GET', path: '/reports/daily', requests: 7 }]);
  });

  it('routes lists the table in force', async () => {
    const r = await api('routes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('revision 1 in force');
    expect(r.stdout).toContain(`legacy    ${stack.urls.legacy}`);
    expect(r.stdout).toMatch(/ROUTE\s+MODE\s+SERVICE\s+MATCH/);
    expect(r.stdout).toMatch(/orders\s+shadow\s+orders\s+GET \/api\/orders\/\{id\}/);
    expect(r.stdout).toMatch(/users\s+service\s+orders\s+\/api\/users\/\*\*/);
    expect(json(await api('routes', '--json'))).toMatchObject({ revision: 1, routes: [{ name: 'orders' }, { name: 'users' }] });
  });

  it('endpoints lists each endpoint with its mode and traffic', async () => {
    const r = await api('endpoints', '--sort', 'requests');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^METHOD\s+PATH\s+MODE\s+ROUTE\s+REQUESTS/);
    expect(lines[1]).toMatch(/^GET\s+\/reports\/daily\s+legacy\s+-\s+7\s+0%/);
    expect(lines[2]).toMatch(/^GET\s+\/api\/orders\/\{id\}\s+shadow\s+orders\s+5/);
    expect(lines[3]).toMatch(/^GET\s+\/api\/users\/\{id\}\/posts\s+service\s+users\s+3\s+100%/);
    expect(r.stdout).toContain('3 endpoints, 15 requests (all time)');
    const rows = json<Array<{ path: string; requests: number }>>(await api('endpoints', '--json'));
    expect(rows.map((e) => [e.path, e.requests])).toEqual([
      ['/api/orders/{id}', 5],
      ['/api/users/{id}/posts', 3],
      ['/reports/daily', 7],
    ]);
  });

  it('a bad --since is one line and exit 1', async () => {
    const r = await api('status', '--since', 'yesterday');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('since "yesterday" is not a duration');
    const offline = await fromDb('endpoints', '--since', 'yesterday');
    expect(offline.stderr).toBe(r.stderr);
  });
});

describe('changing the rules', () => {
  const nextRules = () =>
    RULES(stack.urls).replace('mode: shadow', 'mode: legacy').replace('"/api/users/**"', '"/api/users/{id}/**"') +
    `  - name: reports
    match: { path: "/reports/**", methods: [GET] }
    mode: shadow
    service: orders
`;

  it('apply --dry-run prints the plan and changes nothing', async () => {
    const file = path.join(stack.dir, 'next.yaml');
    await writeFile(file, nextRules());
    const before = await inForce();
    const r = await api('apply', file, '--dry-run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`plan for ${file} against revision ${before}`);
    expect(r.stdout).toContain('  ~ route orders: mode: shadow → legacy');
    expect(r.stdout).toContain('  ~ route users: match: /api/users/** → /api/users/{id}/**');
    expect(r.stdout).toContain('  + route reports: shadow → orders, GET /reports/**');
    expect(r.stdout).toContain('routes: 1 added, 0 removed, 2 changed, 0 unchanged');
    expect(r.stdout).toContain('dry run: nothing applied');
    expect(await inForce()).toBe(before);
  });

  it('apply refuses an invalid file with file:line:column, locally', async () => {
    const file = path.join(stack.dir, 'bad.yaml');
    await writeFile(file, `legacy: ${stack.urls.legacy}\nroutes:\n  - name: a\n    match: { path: /x }\n    mode: sideways\n`);
    const before = await inForce();
    const r = await api('apply', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`strangler: ${file} is not a valid rule file; nothing was applied`);
    expect(r.stderr).toContain(`${file}:5:11 routes[0].mode: mode is one of legacy, shadow, canary, service, retired`);
    expect(await inForce()).toBe(before);
  });

  it('apply sends the table and prints the new revision', async () => {
    const file = path.join(stack.dir, 'next.yaml');
    await writeFile(file, nextRules());
    const before = await inForce();
    const r = await api('apply', file, '-m', 'reports into shadow');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ route reports');
    expect(r.stdout).toContain(`applied ${file}: revision ${before + 1} is in force (3 routes)`);
    const routes = json(await api('routes', '--json'));
    expect(routes.revision).toBe(before + 1);
    expect(routes.routes.map((x: { name: string; mode: string }) => `${x.name}:${x.mode}`)).toEqual(['orders:legacy', 'users:service', 'reports:shadow']);
    expect((await api('history')).stdout).toMatch(new RegExp(`\\*\\s+${before + 1}\\s+\\S+ \\S+\\s+cli\\s+ci-test\\s+3\\s+reports into shadow`));

    const again = await api('apply', file);
    expect(again.stdout).toContain(`nothing to apply: ${file} matches revision ${before + 1}`);
    expect(await inForce()).toBe(before + 1);
  });

  it('apply shows the guard reasons and exits 1 when a route moves forward without evidence', async () => {
    const file = path.join(stack.dir, 'forward.yaml');
    await writeFile(file, nextRules().replace(/mode: shadow\n    service: orders\n$/, 'mode: service\n    service: orders\n'));
    const before = await inForce();
    const r = await api('apply', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('~ route reports: mode: shadow → service');
    expect(r.stderr).toContain(`strangler: the guard refuses the table in ${file}; nothing was changed`);
    expect(r.stderr).toContain('routes.reports.mode: 0 compared samples; the guard needs at least 200');
    expect(r.stderr).toContain('evidence for reports (last 24h):');
    expect(r.stderr).toContain('add --force to apply');
    expect(await inForce()).toBe(before);
  });

  it('promote is refused with the evidence shown, then forced and recorded', async () => {
    await api('apply', path.join(stack.dir, 'next.yaml'));
    const before = await inForce();
    const refused = await api('promote', 'reports', 'canary', '--percent', '10', '--reason', 'looks fine');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const err = refused.stderr;
    expect(err).toContain('strangler: the guard refuses reports: shadow → canary 10%');
    expect(err).toContain('  0 compared samples; the guard needs at least 200');
    expect(err).toContain('  no net match rate yet; the guard needs 99%');
    expect(err).toMatch(/evidence for reports \(last 24h\):\n\s+requests\s+0\n\s+compared\s+0 shadow comparisons\n\s+net match\s+none yet\n\s+guard needs\s+200 samples, 99% net match/);
    expect(err).toContain('to promote anyway, add --force');
    expect(await inForce()).toBe(before);

    const forced = await api('promote', 'reports', 'canary', '--percent', '10', '--reason', 'looks fine', '--force');
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`promoted reports: shadow → canary 10%; revision ${before + 1} is in force`);
    expect(forced.stdout).toContain('forced past the guard, recorded with the evidence:\n  0 compared samples');

    const history = await api('history');
    expect(history.stdout).toMatch(new RegExp(`\\*\\s+${before + 1}\\s.*ci-test\\s+3\\s+reports: shadow → canary 10%: looks fine \\(forced\\)`));
    const modes = await api('history', '--route', 'reports');
    expect(modes.stdout).toMatch(/reports\s+shadow → canary 10%\s+ci-test\s+forced\s+\d+\s+looks fine/);
    const changes = json<Array<{ forced: boolean; author: string; toMode: string }>>(await api('history', '--modes', '--json'));
    expect(changes[0]).toMatchObject({ forced: true, author: 'ci-test', toMode: 'canary' });
  });

  it('a rollback is never refused and needs no reason', async () => {
    const before = await inForce();
    const r = await api('promote', 'reports', 'legacy');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`rolled back reports: canary 10% → legacy; revision ${before + 1} is in force\n`);
    const same = await api('promote', 'reports', 'legacy');
    expect(same.stdout).toContain('reports is already legacy');
    expect(await inForce()).toBe(before + 1);
  });

  it('promote names the routes there are when the route is unknown', async () => {
    const r = await api('promote', 'nope', 'shadow');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^strangler: no route named "nope" in revision \d+ \(routes: orders, users, reports\)\n$/);
  });

  it('restore puts an earlier table back as a new revision', async () => {
    const before = await inForce();
    const dry = await api('restore', '1', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`restoring revision 1 (from file by file:`);
    expect(dry.stdout).toContain('  - route reports');
    expect(dry.stdout).toContain('dry run: nothing restored');
    expect(await inForce()).toBe(before);

    const r = await api('restore', '1', '--reason', 'back to the start');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`restored revision 1: revision ${before + 1} is in force`);
    const routes = json(await api('routes', '--json'));
    expect(routes.revision).toBe(before + 1);
    expect(routes.routes.map((x: { name: string }) => x.name)).toEqual(['orders', 'users']);
    expect((await api('history')).stdout).toContain('restore revision 1: back to the start');
  });

  it('export writes the revision in force as YAML that validate accepts, with the same table', async () => {
    const printed = await api('export');
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^# strangler rule file: revision \d+ \(restore, by ci-test, /);
    // The rule file in the working folder lends its process settings, as written.
    expect(printed.stdout).toContain(`admin:\n  token: ${TOKEN}`);

    const out = path.join(stack.dir, 'exported.yaml');
    const written = await api('export', '--out', out);
    expect(written.stdout).toBe(`wrote revision ${await inForce()} to ${out}\n`);
    const validated = await cli(['validate', out]);
    expect(validated.stderr).toBe('');
    expect(validated.code).toBe(0);
    expect(validated.stdout).toBe(`${out}: valid, 2 routes (1 shadow, 1 service), 1 service\n`);

    const loaded = loadRuleText(await readFile(out, 'utf8'), out);
    if (!loaded.ok) throw new Error('exported file does not load');
    const rev = (await stack.api('GET', `/api/revisions/${await inForce()}`)).body;
    expect(canonicalJson(tableOf(loaded.rules))).toBe(canonicalJson(rev.table));
    expect(loaded.rules.admin.token).toBe(TOKEN);

    // Run where no rule file lends settings, the defaults hold.
    const bare = await cli(['export', '--admin', stack.app.admin.url, '--token', TOKEN], {}, REPO);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('# process settings: the defaults');
    expect(bare.stdout).not.toContain('admin:');
    expect(bare.stdout).toMatch(/\nlegacy: http:/);
  });

  it('endpoints import seeds endpoints from OpenAPI; endpoints lists them with 0 requests', async () => {
    const spec = path.join(REPO, 'test/fixtures/openapi-shop.yaml');
    // No --db: the rule file in the working folder names the database.
    const r = await cli(['endpoints', 'import', spec]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`imported 10 endpoints from ${spec} into ${path.join(stack.dir, 'strangler.db')}: 10 new, 0 already known\n`);
    const again = await cli(['endpoints', 'import', spec, '--db', path.join(stack.dir, 'strangler.db')]);
    expect(again.stdout).toContain('0 new, 10 already known');

    const list = await api('endpoints');
    expect(list.stdout).toMatch(/GET\s+\/api\/orders\/\{orderId\}\/items\s+legacy\s+-\s+0\s+-\s+0\s+0\s+0\s+-\s+-\s+never \(openapi\)/);
    expect(list.stdout).toMatch(/HEAD\s+\/health\s+legacy\s+-\s+0/);
    expect(list.stdout).toContain('13 endpoints, 15 requests');
    const rows = json<Array<{ method: string; path: string; requests: number; source: string }>>(await api('endpoints', '--json'));
    expect(rows.find((e) => e.method === 'PUT' && e.path === '/api/carts/{cartId}')).toMatchObject({ requests: 0, source: 'openapi' });

    const bad = path.join(stack.dir, 'swagger.yaml');
    await writeFile(bad, 'swagger: "2.0"\npaths: {}\n');
    const refused = await cli(['endpoints', 'import', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^strangler: ${bad} cannot be imported; nothing was imported\n${bad}:1:\\d+ swagger: this is Swagger 2.0; only OpenAPI 3 is read`));
  });
});

describe('errors are one line and exit 1', () => {
  it('a wrong token', async () => {
    const r = await cli(['status', '--admin', stack.app.admin.url, '--token', 'not-the-token-at-all']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`strangler: the admin API at ${stack.app.admin.url} refused the token (401 unauthorized); check --token or STRANGLER_ADMIN_TOKEN against admin.token\n`);
    const none = await cli(['promote', 'orders', 'legacy', '--admin', stack.app.admin.url]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`strangler: the admin API at ${stack.app.admin.url} needs a token (401 unauthorized); pass --token or set STRANGLER_ADMIN_TOKEN\n`);
  });

  it('an admin API that is down', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const url = `http://127.0.0.1:${closed}`;
    for (const args of [['routes'], ['promote', 'orders', 'legacy']]) {
      const r = await cli([...args, '--admin', url, '--token', TOKEN]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`strangler: cannot reach the admin API at ${url} (connection refused); is the proxy running? use --db FILE for read-only commands\n`);
    }
  });

  it('an --admin address that is some other JSON server', async () => {
    const r = await cli(['routes', '--admin', stack.urls.legacy, '--token', TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `strangler: ${stack.urls.legacy}: GET /api/routes answered JSON that is not the admin API's; is --admin the strangler admin address (admin.listen), not the proxy's or an upstream's?\n`,
    );
  });
});

describe('read-only commands from the database file, with the proxy down', () => {
  beforeAll(async () => {
    await stack.app.stop();
    stopped = true;
  });

  it('status, routes, endpoints and history read the file', async () => {
    expect(stopped).toBe(true);
    const status = await fromDb('status');
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`from the database ${path.join(stack.dir, 'strangler.db')} (the proxy is not asked)`);
    expect(status.stdout).toContain('endpoints: 13 known');
    expect(status.stdout).toContain('traffic: 15 requests, 20% served by new services');
    expect(status.stdout).toMatch(/\n\s+7\s+GET\s+\/reports\/daily\n/);

    const routes = await fromDb('routes');
    expect(routes.code).toBe(0);
    expect(routes.stdout).toMatch(/^revision \d+ \(latest in the database; the proxy is not asked\)/);
    expect(routes.stdout).toMatch(/orders\s+shadow\s+orders/);

    const endpoints = json<Array<{ path: string; requests: number; mode: string }>>(await fromDb('endpoints', '--json'));
    expect(endpoints).toHaveLength(13);
    expect(endpoints.find((e) => e.path === '/api/users/{id}/posts')).toMatchObject({ requests: 3, mode: 'service' });

    const history = await fromDb('history');
    expect(history.stdout).toContain('reports: shadow → canary 10%: looks fine (forced)');
    expect(history.stdout).toContain('restore revision 1: back to the start');
    const modes = await fromDb('history', '--modes');
    expect(modes.stdout).toMatch(/reports\s+shadow → canary 10%\s+ci-test\s+forced/);

    // Without --db or --admin, the rule file in the working folder names the database.
    const byConfig = await cli(['routes', '--json']);
    expect(json(byConfig).routes.map((r: { name: string }) => r.name)).toEqual(['orders', 'users']);

    const exported = await fromDb('export');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('# strangler rule file: revision');
  });

  it('apply --dry-run plans against the file; changing commands say the API is needed', async () => {
    const dry = await fromDb('apply', path.join(stack.dir, 'next.yaml'), '--dry-run');
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toContain('+ route reports');
    expect(dry.stdout).toContain(`(the database ${path.join(stack.dir, 'strangler.db')})`);

    // The rule file names admin.listen 127.0.0.1:8081 by default; nothing of this stack listens there.
    const r = await cli(['promote', 'orders', 'legacy', '--admin', stack.app.admin.url, '--token', TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^strangler: cannot reach the admin API at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/);
  });

  it('a missing database file is one line', async () => {
    const r = await cli(['status', '--db', path.join(stack.dir, 'nope.db')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`strangler: no database at ${path.join(stack.dir, 'nope.db')}; start the proxy once to create it, or pass --db FILE or --admin URL\n`);
  });
});

describe('the apply plan', () => {
  const table = (o: object) => tableOf(RuleFileSchema.parse(o));
  const base = {
    legacy: 'http://127.0.0.1:3000',
    services: { orders: 'http://127.0.0.1:4000', users: 'http://127.0.0.1:5000' },
    routes: [
      { name: 'a', match: { path: '/a/**' }, mode: 'shadow', service: 'orders' },
      { name: 'b', match: { path: '/b/{id}' }, mode: 'canary', service: 'users', canary: { percent: 5, stickyBy: 'cookie:sid' } },
    ],
  };

  it('names every part that changes, field by field', () => {
    const next = {
      legacy: { url: 'http://127.0.0.1:3001', timeoutMs: 2000 },
      services: { orders: 'http://127.0.0.1:4001', billing: 'http://127.0.0.1:6000' },
      guard: { minSamples: 50, minMatchRate: 98 },
      via: false,
      routes: [
        { name: 'b', match: { path: '/b/{id}', methods: ['GET'] }, mode: 'canary', service: 'orders', canary: { percent: 25 }, fallback: 'legacy' },
        { name: 'a', match: { path: '/a/**' }, mode: 'shadow', service: 'orders' },
      ],
    };
    expect(renderPlan(planTable(table(base), table(next)))).toBe(
      [
        '  ~ legacy: http://127.0.0.1:3000 → http://127.0.0.1:3001 (timeout 2000ms)',
        '  ~ service orders: http://127.0.0.1:4000 → http://127.0.0.1:4001',
        '  + service billing: http://127.0.0.1:6000',
        '  - service users',
        '  ~ guard: {"minSamples":200,"minMatchRate":99} → {"minSamples":50,"minMatchRate":98}',
        '  ~ via: 1.1 strangler → false',
        '  ~ route b',
        '      mode: canary 5% → canary 25%',
        '      match: /b/{id} → GET /b/{id}',
        '      service: users → orders',
        '      canary.stickyBy: cookie:sid → (per request)',
        '      fallback: (none) → legacy',
        '  ~ route order: a, b → b, a',
        'routes: 0 added, 0 removed, 1 changed, 1 unchanged',
      ].join('\n'),
    );
  });

  it('says so when nothing changes', () => {
    expect(planTable(table(base), table(structuredClone(base))).entries).toEqual([]);
    expect(renderPlan(planTable(table(base), table(base)))).toBe('no changes');
  });
});
