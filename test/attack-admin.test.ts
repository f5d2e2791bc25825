import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAdminToken } from '../src/admin/token.js';
import { startFromFile } from '../src/cli/start.js';
import { startCluster } from '../src/cli/start-cluster.js';
import { silentLogger } from '../src/log.js';
import { formatRuleErrors, loadRuleText } from '../src/rules/load.js';
import { isThisMachine } from '../src/rules/own-addresses.js';
import { openDatabase } from '../src/store/open-database.js';
import { startLedgerStack, waitFor, type LedgerStack } from './helpers/ledger-stack.js';
import { REPO } from './helpers/strangler-process.js';

/**
 * Attack: the control plane. The admin API can change where all traffic
 * goes, so it answers only with the token, and only on its own port.
 *
 * The answers: every /api call without the exact token is 401, with the
 * same answer whatever was wrong with it; the token is compared as SHA-256
 * digests with timingSafeEqual (equal lengths always, so neither its
 * content nor its length leaks through timing; timings are not measured
 * here). No legacy or service URL may point at the admin API (nor at the
 * data plane itself): the rule file is refused at its line, a table sent
 * to PUT /api/routes is refused with 400, a rule file edit while running
 * is refused, and a start whose listeners got such a port stops.
 */

const TOKEN = 'attack-admin-token-0123456789abcdef';

/** Another token of the same length that differs from TOKEN only at `i`. */
function differingAt(i: number): string {
  const c = TOKEN[i] === 'x' ? 'y' : 'x';
  return TOKEN.slice(0, i) + c + TOKEN.slice(i + 1);
}

describe('the token check', () => {
  it('token.ts compares SHA-256 digests with timingSafeEqual, never the strings', () => {
    const source = readFileSync(path.join(REPO, 'src/admin/token.ts'), 'utf8');
    expect(source).toMatch(/timingSafeEqual\(digest\(given\), expected\)/);
    expect(source).toMatch(/createHash\('sha256'\)/);
    expect(source).not.toMatch(/given\s*===|===\s*given/);
  });

  it('accepts the token alone: one character off anywhere, a prefix, an extension, or another length is refused, and nothing throws', () => {
    const db = openDatabase(':memory:');
    const token = resolveAdminToken(db, TOKEN);
    expect(token.verify(TOKEN)).toBe(true);
    const wrong = [
      differingAt(0),
      differingAt(Math.floor(TOKEN.length / 2)),
      differingAt(TOKEN.length - 1),
      TOKEN.slice(0, -1),
      `${TOKEN}x`,
      TOKEN.toUpperCase(),
      '',
      'x',
      TOKEN.repeat(300),
      `${TOKEN}\u0000`,
      `é${TOKEN.slice(1)}`,
    ];
    for (const w of wrong) expect(token.verify(w), JSON.stringify(w.slice(0, 40))).toBe(false);
    db.close();
  });

  it('a generated token is kept as its digest only, and checked the same way', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-token-'));
    try {
      const file = path.join(dir, 't.db');
      const db = openDatabase(file);
      const token = resolveAdminToken(db, undefined);
      expect(token.generated).toEqual(expect.any(String));
      const generated = token.generated!;
      expect(token.verify(generated)).toBe(true);
      expect(token.verify(generated.slice(0, -1) + (generated.endsWith('A') ? 'B' : 'A'))).toBe(false);
      db.close();
      const raw = new BetterSqlite3(file);
      expect(JSON.stringify(raw.prepare('SELECT * FROM meta').all())).not.toContain(generated);
      raw.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the admin API over HTTP', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await startLedgerStack({
      services: ['orders'],
      token: TOKEN,
      rules: (u) => `legacy: ${u.legacy}\ndatabase: ./strangler.db\nadmin:\n  token: ${TOKEN}\nservices:\n  orders: ${u.services.orders}\nroutes:\n  - name: orders\n    match: { path: /api/orders/** }\n`,
    });
  });
  afterAll(() => stack?.close());

  /** Status, the headers a client could compare, and the body. */
  async function attempt(headers: Record<string, string>, apiPath = '/api/routes') {
    const res = await stack.api('GET', apiPath, undefined, { token: null, headers });
    const shown = Object.fromEntries([...res.headers].filter(([k]) => k !== 'date'));
    return { status: res.status, headers: shown, body: res.body };
  }

  it('a token that differs in its first character and one that differs in its last get the same 401', async () => {
    const first = await attempt({ authorization: `Bearer ${differingAt(0)}` });
    const last = await attempt({ authorization: `Bearer ${differingAt(TOKEN.length - 1)}` });
    expect(first.status).toBe(401);
    expect(last).toEqual(first);
  });

  it('no token, a prefix, an extension, another scheme, or the token in the query or a cookie: the same 401 as a wrong token', async () => {
    const reference = await attempt({ authorization: `Bearer ${differingAt(3)}` });
    const tries: Array<[Record<string, string>, string?]> = [
      [{}],
      [{ authorization: '' }],
      [{ authorization: 'Bearer' }],
      [{ authorization: 'Bearer ' }],
      [{ authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
      [{ authorization: `Bearer ${TOKEN}x` }],
      [{ authorization: `Bearer ${TOKEN} extra` }],
      [{ authorization: `Token ${TOKEN}` }],
      [{ authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
      [{ authorization: TOKEN }],
      [{ cookie: `token=${TOKEN}` }],
      [{ 'x-admin-token': TOKEN }],
      [{}, `/api/routes?token=${TOKEN}`],
      [{}, `/api/routes?access_token=${TOKEN}`],
    ];
    for (const [headers, p] of tries) {
      const r = await attempt(headers, p);
      expect(r, JSON.stringify(headers) + (p ?? '')).toEqual(reference);
    }
    expect(JSON.stringify(reference.body)).not.toContain(TOKEN);
  });

  it('the right token opens it', async () => {
    expect((await attempt({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});

describe('no target may be the admin API or the data plane: the rule file', () => {
  const file = (target: string, extra = '') =>
    `listen: "127.0.0.1:18080"\nadmin:\n  listen: "127.0.0.1:18081"\nlegacy: http://127.0.0.1:3000\nservices:\n  evil: ${target}\n${extra}`;

  const spellings = [
    'http://127.0.0.1:18081',
    'http://localhost:18081',
    'http://LocalHost.:18081/api',
    'http://api.localhost:18081',
    'http://127.0.0.2:18081',
    'http://127.1:18081',
    'http://2130706433:18081',
    'http://0x7f.0.0.1:18081',
    'http://0.0.0.0:18081',
    'http://[::1]:18081',
    'http://[0:0:0:0:0:0:0:1]:18081',
    'http://[::]:18081',
    'http://[::ffff:127.0.0.1]:18081',
    'https://localhost:18081',
    '{ url: "http://localhost:18081/v2", timeoutMs: 100 }',
  ];

  it.each(spellings)('services.evil: %s is refused at its line, naming admin.listen', (target) => {
    const text = file(target);
    const r = loadRuleText(text, 'strangler.yaml', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0]!;
    expect(e.line).toBe(6);
    expect(e.field).toMatch(/^services\.evil(\.url)?$/);
    expect(formatRuleErrors(r.errors)).toMatch(/is this proxy's own admin API \(admin\.listen 127\.0\.0\.1:18081\): the admin API is never reachable through the data plane/);
  });

  it('legacy on the data plane\'s own port is refused: every request would loop', () => {
    const r = loadRuleText('listen: "127.0.0.1:18080"\nlegacy: http://localhost:18080\n', 'strangler.yaml', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatRuleErrors(r.errors)).toBe(
      "strangler.yaml:2:9 legacy: http://localhost:18080 is this proxy's own data plane (listen 127.0.0.1:18080): every request would come back to the proxy; point it at the real monolith",
    );
  });

  it('with the default admin.listen (127.0.0.1:8081) too', () => {
    const r = loadRuleText('legacy: http://localhost:8081\n', 'strangler.yaml', {});
    expect(r.ok).toBe(false);
  });

  it('an admin API on 0.0.0.0 is reached through any name of this machine', () => {
    const r = loadRuleText('admin:\n  listen: "0.0.0.0:18081"\nlegacy: http://127.0.0.1:18081\n', 'strangler.yaml', {});
    expect(r.ok).toBe(false);
    expect(isThisMachine('192.0.2.7', new Set(['192.0.2.7']))).toBe(true);
  });

  it('other ports on this machine, and the admin port on other hosts, are fine', () => {
    for (const target of ['http://127.0.0.1:18082', 'http://localhost:3001', 'http://10.1.2.3:18081', 'http://orders.internal:18081', 'http://[::1]:18079']) {
      const r = loadRuleText(file(target), 'strangler.yaml', {});
      expect(r.ok, `${target}: ${r.ok ? '' : formatRuleErrors(r.errors)}`).toBe(true);
    }
  });
});

describe('no target may be the admin API or the data plane: at run time', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await startLedgerStack({
      services: ['orders'],
      token: TOKEN,
      rules: (u) => `legacy: ${u.legacy}\ndatabase: ./strangler.db\nadmin:\n  token: ${TOKEN}\nservices:\n  orders: ${u.services.orders}\nroutes:\n  - name: orders\n    match: { path: /api/orders/** }\n    mode: legacy\n    service: orders\n`,
    });
  });
  afterAll(() => stack?.close());

  const adminPort = () => Number(new URL(stack.app.admin.url).port);
  const proxyPort = () => Number(new URL(stack.app.proxy.url).port);

  it('PUT /api/routes with a service on the admin port the listener got is 400, in every spelling, and changes nothing', async () => {
    const before = (await stack.api('GET', '/api/revisions')).body;
    for (const url of [`http://127.0.0.1:${adminPort()}`, `http://localhost:${adminPort()}`, `http://[::1]:${adminPort()}`, `http://0.0.0.0:${adminPort()}`, `http://${os.hostname()}:${adminPort()}`]) {
      const put = await stack.api('PUT', '/api/routes', { services: { orders: url } });
      expect(put.status, url).toBe(400);
      expect(put.body.errors).toEqual([{ path: 'services.orders', message: expect.stringMatching(/this proxy's own admin API .*never reachable through the data plane/) }]);
    }
    const legacyOnProxy = await stack.api('PUT', '/api/routes', { legacy: { url: `http://localhost:${proxyPort()}`, timeoutMs: 1000 } });
    expect(legacyOnProxy.status).toBe(400);
    expect(legacyOnProxy.body.errors).toEqual([{ path: 'legacy.url', message: expect.stringMatching(/own data plane/) }]);
    expect((await stack.api('GET', '/api/revisions')).body).toEqual(before);
  });

  it('so the data plane never reaches the admin API: /api/routes through it is a request for legacy', async () => {
    const through = await stack.proxy('GET', '/api/routes');
    expect(through.body).toMatchObject({ from: 'legacy' });
  });

  it('a rule file edit that points a service at the admin port is refused while running; the last good rules keep serving', async () => {
    const text = `legacy: ${stack.urls.legacy}\ndatabase: ./strangler.db\nadmin:\n  token: ${TOKEN}\nservices:\n  orders: http://localhost:${adminPort()}\nroutes:\n  - name: orders\n    match: { path: /api/orders/** }\n    mode: service\n    service: orders\n`;
    await stack.writeRules(text);
    await waitFor(() => stack.logs.find((l) => String(l.msg).startsWith('rule file refused') && String(l.msg).includes('admin API')), 'the refusal in the log');
    expect((await stack.proxy('GET', '/api/orders/1')).body).toMatchObject({ from: 'legacy' });
    const routes = await stack.api('GET', '/api/routes');
    expect(routes.body.services.orders).toBe(stack.urls.services.orders);
  });
});

describe('no target may be the admin API: at start', () => {
  it('a start whose rules point at the port the admin API got stops, saying which field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-own-'));
    // A port that is free now, taken by the admin API at start; the rule file's service points at it under another name.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    try {
      const ruleFile = path.join(dir, 'strangler.yaml');
      await writeFile(ruleFile, `legacy: http://127.0.0.1:3000\ndatabase: ./s.db\nadmin:\n  token: ${TOKEN}\nservices:\n  orders: http://${os.hostname()}:${port}\n`);
      await expect(startFromFile(ruleFile, { listen: '127.0.0.1:0', adminListen: `0.0.0.0:${port}`, signals: false, logger: silentLogger })).rejects.toThrow(
        /services\.orders: http:\/\/.*:\d+ is this proxy's own admin API/,
      );
      // Nothing is left listening: the port is free again.
      const again = net.createServer();
      await new Promise<void>((resolve, reject) => {
        again.once('error', reject);
        again.listen(port, '0.0.0.0', resolve);
      });
      await new Promise<void>((resolve) => again.close(() => resolve()));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a weak admin token from the environment', () => {
  const starts = {
    'one process': (file: string) => startFromFile(file, { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', signals: false, logger: silentLogger }),
    '2 workers': (file: string) => startCluster(file, 2, { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', signals: false, logger: silentLogger }),
  };
  for (const [shape, start] of Object.entries(starts)) {
    it(`stops the start (${shape}) before anything listens, saying why, when the rule file names no token`, async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-envtoken-'));
      const saved = process.env.STRANGLER_ADMIN_TOKEN;
      try {
        const ruleFile = path.join(dir, 'strangler.yaml');
        await writeFile(ruleFile, 'legacy: http://127.0.0.1:3000\ndatabase: ./s.db\n');
        process.env.STRANGLER_ADMIN_TOKEN = 'short token';
        await expect(start(ruleFile)).rejects.toThrow('STRANGLER_ADMIN_TOKEN must be at least 16 characters without white space');
      } finally {
        if (saved === undefined) delete process.env.STRANGLER_ADMIN_TOKEN;
        else process.env.STRANGLER_ADMIN_TOKEN = saved;
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
