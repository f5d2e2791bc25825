import http from 'node:http';
import { Pool } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type RunningProxy } from '../src/router/proxy.js';
import type { ExchangeFact } from '../src/router/proxy-handler.js';
import { bucketOf, inCanary } from '../src/router/canary.js';
import { RequestView } from '../src/rules/request-view.js';
import { RuleFileSchema, type RuleFile } from '../src/rules/schema.js';
import { refusedUrl, send, startNamedServer, until, type NamedServer } from './helpers/modes-servers.js';

/**
 * Modes and fallback, end to end: a real legacy and a real service behind
 * the proxy, each answering with `x-served-by`.
 */

let legacy: NamedServer;
let svc: NamedServer;
let down: string;
/** Service requests to `/hang…` are held; resolves with when the service saw the connection close. */
let hangClosed: Array<{ receivedAt: number; closedAt: number | null }> = [];

beforeAll(async () => {
  legacy = await startNamedServer('legacy');
  svc = await startNamedServer('svc', (req, res) => {
    const url = req.url ?? '';
    const status = /\/(500|502|503|504)(\/|$|\?)/.exec(url);
    if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain' });
      res.end(`svc says ${status[1]}`);
      return true;
    }
    if (url.includes('/reset')) {
      req.socket.destroy();
      return true;
    }
    if (url.includes('/hang')) {
      const entry = { receivedAt: Date.now(), closedAt: null as number | null };
      hangClosed.push(entry);
      res.on('close', () => {
        entry.closedAt = Date.now();
      });
      return true;
    }
  });
  down = await refusedUrl();
});

afterAll(async () => {
  await Promise.all([legacy.close(), svc.close()]);
});

let proxy: RunningProxy | undefined;
let facts: ExchangeFact[] = [];

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  facts = [];
  legacy.reset();
  svc.reset();
  hangClosed = [];
});

function rulesWith(routes: unknown[], services: Record<string, string> = {}): RuleFile {
  return RuleFileSchema.parse({ legacy: legacy.url, services: { svc: svc.url, down, ...services }, routes });
}

async function proxyWith(routes: unknown[]): Promise<RunningProxy> {
  proxy = await startProxy({ rules: rulesWith(routes), listen: '127.0.0.1:0', onExchange: (f) => facts.push(f) });
  return proxy;
}

/** The exchange fact for `method url`; onExchange may run just after the client saw the end of the body. */
async function factFor(method: string, url: string): Promise<ExchangeFact> {
  let found: ExchangeFact | undefined;
  await until(() => (found = facts.find((f) => f.method === method && f.url === url)) !== undefined, `the exchange fact of ${method} ${url}`);
  return found!;
}

const view = (headers: http.IncomingHttpHeaders = {}, ip = '') => new RequestView('GET', '/c/x', headers, ip);

describe('legacy, service, retired and shadow', () => {
  it('sends each mode to its target and unclaimed requests to legacy', async () => {
    const p = await proxyWith([
      { name: 'old', match: { path: '/l/**' }, mode: 'legacy' },
      { name: 'new', match: { path: '/s/**' }, mode: 'service', service: 'svc' },
      { name: 'gone', match: { path: '/r/**' }, mode: 'retired', service: 'svc' },
      { name: 'copy', match: { path: '/sh/**' }, mode: 'shadow', service: 'svc' },
    ]);
    const cases: Array<[string, string, string | null, string]> = [
      ['/l/a?x=1', 'legacy', 'old', 'legacy'],
      ['/s/orders/7?x=1', 'svc', 'new', 'service'],
      ['/r/a', 'svc', 'gone', 'retired'],
      ['/sh/a', 'legacy', 'copy', 'shadow'],
      ['/elsewhere', 'legacy', null, 'legacy'],
    ];
    for (const [url, by, route, mode] of cases) {
      const r = await send('GET', p.url + url);
      expect(r.status, url).toBe(200);
      expect(r.by, url).toBe(by);
      // The upstream sees the path and query as the client sent them.
      expect(JSON.parse(r.body).url, url).toBe(url);
      const f = await factFor('GET', url);
      expect(f, url).toMatchObject({ route, mode, target: by, status: 200, error: null, fellBack: false });
    }
  });

  it('passes methods and bodies through to the service', async () => {
    const p = await proxyWith([{ name: 'new', match: { path: '/s/**' }, mode: 'service', service: 'svc' }]);
    const r = await send('POST', p.url + '/s/orders', { body: '{"qty":2}', headers: { 'content-type': 'application/json' } });
    expect(r.by).toBe('svc');
    expect(svc.received.at(-1)).toMatchObject({ method: 'POST', url: '/s/orders', body: '{"qty":2}' });
    expect(legacy.hits()).toBe(0);
  });
});

describe('canary', () => {
  const canaryRoute = (percent: number, stickyBy?: string, path = '/c/**', name = 'can') => ({
    name,
    match: { path },
    mode: 'canary',
    service: 'svc',
    canary: stickyBy ? { percent, stickyBy } : { percent },
  });

  it('keeps one cookie on one side across 50 requests, on the side its bucket says', async () => {
    const p = await proxyWith([canaryRoute(50, 'cookie:uid')]);
    const sides = new Set<string>();
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
      const expected = inCanary('can', 50, 'cookie:uid', view({ cookie: `uid=${user}` })) ? 'svc' : 'legacy';
      const seen = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const r = await send('GET', `${p.url}/c/${i}`, { headers: { cookie: `theme=dark; uid=${user}` } });
        seen.add(r.by);
      }
      expect([...seen], user).toEqual([expected]);
      sides.add(expected);
    }
    // Six users at 50% on one side only would mean the cookie is not what decides.
    expect(sides.size).toBe(2);
  });

  it('splits 20,000 distinct keys within 1 percentage point of 10% and 50%', () => {
    for (const percent of [10, 50]) {
      let byBucket = 0;
      let byRequest = 0;
      for (let i = 0; i < 20_000; i++) {
        const key = `user-${i}`;
        if (bucketOf('can', key) < percent * 100) byBucket++;
        if (inCanary('can', percent, 'cookie:uid', view({ cookie: `uid=${key}` }))) byRequest++;
      }
      expect(byRequest).toBe(byBucket);
      expect(Math.abs((byRequest / 20_000) * 100 - percent), `share at ${percent}%`).toBeLessThan(1);
    }
  });

  it('splits 10,000 users through the proxy as their buckets say, within 1 point, and raising the percent only moves users to the service', async () => {
    const p = await proxyWith([canaryRoute(10, 'cookie:uid')]);
    const client = new Pool(p.url, { connections: 8 });
    const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const sideAt = async (): Promise<Map<string, string>> => {
      const sides = new Map<string, string>();
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < users.length) {
            const u = users[next++]!;
            const r = await client.request({ method: 'GET', path: '/c/item', headers: { cookie: `uid=${u}` } });
            await r.body.dump();
            sides.set(u, String(r.headers['x-served-by']));
          }
        }),
      );
      return sides;
    };
    try {
      const at10 = await sideAt();
      p.swap(rulesWith([canaryRoute(50, 'cookie:uid')]));
      const at50 = await sideAt();
      for (const [percent, sides] of [[10, at10], [50, at50]] as const) {
        let toService = 0;
        const wrong: string[] = [];
        for (const u of users) {
          const predicted = inCanary('can', percent, 'cookie:uid', view({ cookie: `uid=${u}` })) ? 'svc' : 'legacy';
          if (sides.get(u) !== predicted) wrong.push(u);
          if (sides.get(u) === 'svc') toService++;
        }
        expect(wrong, `users on the wrong side at ${percent}%`).toEqual([]);
        expect(Math.abs((toService / users.length) * 100 - percent), `share at ${percent}%`).toBeLessThan(1);
      }
      const movedBack = users.filter((u) => at10.get(u) === 'svc' && at50.get(u) !== 'svc');
      expect(movedBack).toEqual([]);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('is monotonic: a key in the canary at n% stays in at every higher percent', () => {
    const steps = [0, 1, 5, 10, 25, 50, 75, 99, 100];
    for (let i = 0; i < 20_000; i++) {
      const v = view({ 'x-user': `k${i}` });
      let wasIn = false;
      for (const percent of steps) {
        const isIn = inCanary('can', percent, 'header:x-user', v);
        if (wasIn && !isIn) throw new Error(`key k${i} left the canary when it rose to ${percent}%`);
        wasIn = isIn;
      }
      expect(wasIn).toBe(true);
    }
    expect(inCanary('can', 0, 'header:x-user', view({ 'x-user': 'k1' }))).toBe(false);
  });

  it('is sticky by header', async () => {
    const p = await proxyWith([canaryRoute(50, 'header:X-User-Id')]);
    const sides = new Set<string>();
    for (let u = 0; u < 12; u++) {
      const expected = inCanary('can', 50, 'header:X-User-Id', view({ 'x-user-id': `id-${u}` })) ? 'svc' : 'legacy';
      for (let i = 0; i < 10; i++) {
        const r = await send('GET', `${p.url}/c/${i}`, { headers: { 'X-User-Id': `id-${u}` } });
        expect(r.by, `id-${u}`).toBe(expected);
      }
      sides.add(expected);
    }
    expect(sides.size).toBe(2);
  });

  it('is sticky by client address', async () => {
    const p = await proxyWith([canaryRoute(50, 'ip')]);
    const sides = new Set<string>();
    for (let host = 2; host < 30; host++) {
      const ip = `127.0.0.${host}`;
      const expected = inCanary('can', 50, 'ip', view({}, ip)) ? 'svc' : 'legacy';
      for (let i = 0; i < 5; i++) {
        const r = await send('GET', `${p.url}/c/${i}`, { localAddress: ip });
        expect(r.by, ip).toBe(expected);
      }
      sides.add(expected);
    }
    expect(sides.size).toBe(2);
  });

  it('draws per request when the sticky key is missing', async () => {
    const p = await proxyWith([canaryRoute(50, 'cookie:uid')]);
    const seen = new Map<string, number>();
    for (let i = 0; i < 80; i++) {
      const r = await send('GET', `${p.url}/c/${i}`, { headers: { cookie: 'other=1' } });
      seen.set(r.by, (seen.get(r.by) ?? 0) + 1);
    }
    // Each side has 1 in 2^80 odds of never being drawn.
    expect(seen.get('svc')).toBeGreaterThan(0);
    expect(seen.get('legacy')).toBeGreaterThan(0);
  });

  it('sends nobody to the service at 0% and everybody at 100%', async () => {
    const p = await proxyWith([canaryRoute(0, 'cookie:uid', '/zero/**', 'zero'), canaryRoute(100, 'cookie:uid', '/all/**', 'all')]);
    for (let i = 0; i < 20; i++) {
      expect((await send('GET', `${p.url}/zero/x`, { headers: { cookie: `uid=${i}` } })).by).toBe('legacy');
      expect((await send('GET', `${p.url}/all/x`, { headers: { cookie: `uid=${i}` } })).by).toBe('svc');
    }
    expect(await factFor('GET', '/all/x')).toMatchObject({ route: 'all', mode: 'canary', target: 'svc' });
    expect(await factFor('GET', '/zero/x')).toMatchObject({ route: 'zero', mode: 'canary', target: 'legacy' });
  });
});

describe('fallback to legacy', () => {
  const routes = [
    { name: 'fb', match: { path: '/fb/**' }, mode: 'service', service: 'svc', fallback: 'legacy' },
    { name: 'fbu', match: { path: '/fbu/**' }, mode: 'service', service: 'svc', fallback: 'legacy', fallbackUnsafe: true },
    { name: 'nofb', match: { path: '/nofb/**' }, mode: 'service', service: 'svc' },
    { name: 'dn', match: { path: '/dn/**' }, mode: 'service', service: 'down', fallback: 'legacy' },
    { name: 'dnu', match: { path: '/dnu/**' }, mode: 'service', service: 'down', fallback: 'legacy', fallbackUnsafe: true },
    { name: 'can', match: { path: '/can/**' }, mode: 'canary', service: 'down', fallback: 'legacy', canary: { percent: 100, stickyBy: 'cookie:uid' } },
    { name: 'gone', match: { path: '/gone/**' }, mode: 'retired', service: 'svc', fallback: 'legacy' },
    { name: 'gone-down', match: { path: '/gone-down/**' }, mode: 'retired', service: 'down', fallback: 'legacy' },
  ];

  it('answers a GET from legacy when the service refuses the connection', async () => {
    const p = await proxyWith(routes);
    const r = await send('GET', `${p.url}/dn/orders/7`);
    expect(r.status).toBe(200);
    expect(r.by).toBe('legacy');
    expect(JSON.parse(r.body).url).toBe('/dn/orders/7');
    expect(await factFor('GET', '/dn/orders/7')).toMatchObject({ route: 'dn', mode: 'service', target: 'legacy', status: 200, fellBack: true });
  });

  it.each([502, 503, 504])('answers a GET from legacy when the service says %i', async (code) => {
    const p = await proxyWith(routes);
    const url = `/fb/${code}`;
    const r = await send('GET', p.url + url);
    expect(r.status).toBe(200);
    expect(r.by).toBe('legacy');
    expect(svc.hits()).toBe(1);
    expect(legacy.hits()).toBe(1);
    expect(await factFor('GET', url)).toMatchObject({ route: 'fb', target: 'legacy', status: 200, fellBack: true });
  });

  it('falls back for HEAD and OPTIONS too', async () => {
    const p = await proxyWith(routes);
    const head = await send('HEAD', `${p.url}/fb/503`);
    expect(head.status).toBe(200);
    expect(head.by).toBe('legacy');
    const options = await send('OPTIONS', `${p.url}/dn/x`);
    expect(options.status).toBe(200);
    expect(options.by).toBe('legacy');
  });

  it('falls back on a canary route when the canary side is down', async () => {
    const p = await proxyWith(routes);
    const r = await send('GET', `${p.url}/can/x`, { headers: { cookie: 'uid=7' } });
    expect(r.by).toBe('legacy');
    expect(await factFor('GET', '/can/x')).toMatchObject({ route: 'can', mode: 'canary', target: 'legacy', fellBack: true });
  });

  it('does not fall back without fallback: legacy', async () => {
    const p = await proxyWith(routes);
    const r = await send('GET', `${p.url}/nofb/503`);
    expect(r.status).toBe(503);
    expect(r.by).toBe('svc');
    expect(legacy.hits()).toBe(0);
  });

  it('does not fall back on a 500', async () => {
    const p = await proxyWith(routes);
    const r = await send('GET', `${p.url}/fb/500`);
    expect(r.status).toBe(500);
    expect(r.by).toBe('svc');
    expect(r.body).toBe('svc says 500');
    expect(legacy.hits()).toBe(0);
    expect(await factFor('GET', '/fb/500')).toMatchObject({ target: 'svc', status: 500, fellBack: false });
  });

  it('gives a POST the service 503, and legacy never sees it', async () => {
    const p = await proxyWith(routes);
    const r = await send('POST', `${p.url}/fbu/503`, { body: 'order=1' });
    expect(r.status).toBe(503);
    expect(r.by).toBe('svc');
    expect(r.body).toBe('svc says 503');
    expect(svc.received.map((x) => x.body)).toEqual(['order=1']);
    expect(legacy.hits()).toBe(0);
    expect(await factFor('POST', '/fbu/503')).toMatchObject({ target: 'svc', status: 503, fellBack: false });
  });

  it('gives a POST a 502 when the service refuses, and does not send it to legacy', async () => {
    const p = await proxyWith(routes);
    const r = await send('POST', `${p.url}/dnu/orders`, { body: 'order=1' });
    expect(r.status).toBe(502);
    expect(r.headers['x-strangler-error']).toBe('refused');
    expect(JSON.parse(r.body)).toMatchObject({ reason: 'refused', target: 'down', route: 'dnu' });
    expect(r.body).not.toContain('127.0.0.1');
    expect(legacy.hits()).toBe(0);
    expect(await factFor('POST', '/dnu/orders')).toMatchObject({ target: 'down', error: 'refused', fellBack: false });
  });

  it('never sends a POST to legacy after it reached the service, even when the service drops the connection', async () => {
    const p = await proxyWith(routes);
    const r = await send('POST', `${p.url}/fbu/reset`, { body: 'charge=100' });
    expect(r.status).toBe(502);
    expect(r.headers['x-strangler-error']).toBe('reset');
    expect(svc.received.map((x) => x.body)).toEqual(['charge=100']);
    expect(legacy.hits()).toBe(0);
    const patch = await send('PATCH', `${p.url}/fbu/503`, { body: 'x' });
    expect(patch.by).toBe('svc');
    expect(legacy.hits()).toBe(0);
  });

  it('lets PUT and DELETE fall back only with fallbackUnsafe: true', async () => {
    const p = await proxyWith(routes);
    for (const method of ['PUT', 'DELETE']) {
      legacy.reset();
      const plain = await send(method, `${p.url}/fb/503`, { body: 'v=1' });
      expect(plain.status, method).toBe(503);
      expect(plain.by, method).toBe('svc');
      expect(legacy.hits(), method).toBe(0);
      const plainDown = await send(method, `${p.url}/dn/x`, { body: 'v=1' });
      expect(plainDown.status, method).toBe(502);
      expect(legacy.hits(), method).toBe(0);

      const unsafe = await send(method, `${p.url}/fbu/503`, { body: 'v=2' });
      expect(unsafe.status, method).toBe(200);
      expect(unsafe.by, method).toBe('legacy');
      expect(legacy.received.at(-1), method).toMatchObject({ method, url: '/fbu/503', body: 'v=2' });
      const unsafeDown = await send(method, `${p.url}/dnu/x`, { body: 'v=3' });
      expect(unsafeDown.by, method).toBe('legacy');
      expect(legacy.received.at(-1), method).toMatchObject({ method, url: '/dnu/x', body: 'v=3' });
    }
  });

  it('replays a GET body to legacy byte for byte', async () => {
    const p = await proxyWith(routes);
    const body = JSON.stringify({ filter: { status: 'open', ids: [1, 2, 3] }, note: 'ünïcødé' });
    const r = await send('GET', `${p.url}/fb/503/search`, { body, headers: { 'content-type': 'application/json' } });
    expect(r.by).toBe('legacy');
    expect(svc.received.at(-1)?.body).toBe(body);
    expect(legacy.received.at(-1)).toMatchObject({ method: 'GET', url: '/fb/503/search', body });
    expect(legacy.received.at(-1)?.headers['content-type']).toBe('application/json');
    expect(await factFor('GET', '/fb/503/search')).toMatchObject({ fellBack: true, target: 'legacy' });
  });

  it('never falls back on a retired route', async () => {
    const p = await proxyWith(routes);
    const refused = await send('GET', `${p.url}/gone-down/x`);
    expect(refused.status).toBe(502);
    expect(refused.headers['x-strangler-error']).toBe('refused');
    const unavailable = await send('GET', `${p.url}/gone/503`);
    expect(unavailable.status).toBe(503);
    expect(unavailable.by).toBe('svc');
    expect(legacy.hits()).toBe(0);
    expect(await factFor('GET', '/gone-down/x')).toMatchObject({ route: 'gone-down', mode: 'retired', target: 'down', fellBack: false });
  });
});

describe('client going away', () => {
  it('cancels the upstream request at once', async () => {
    const p = await proxyWith([{ name: 'new', match: { path: '/s/**' }, mode: 'service', service: 'svc' }]);
    const abort = new AbortController();
    const pending = send('GET', `${p.url}/s/hang`, { signal: abort.signal }).catch((e: Error) => e);
    await until(() => hangClosed.length === 1, 'the service to receive the request');
    const abortedAt = Date.now();
    abort.abort();
    expect(await pending).toBeInstanceOf(Error);
    await until(() => hangClosed[0]!.closedAt !== null, 'the service to see the upstream request cancelled', 1_000);
    expect(hangClosed[0]!.closedAt! - abortedAt).toBeLessThan(500);
    const f = await factFor('GET', '/s/hang');
    expect(f).toMatchObject({ target: 'svc', error: 'client-gone' });
    expect(legacy.hits()).toBe(0);
  });
});
