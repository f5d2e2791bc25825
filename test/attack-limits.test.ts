import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClientRefusal, RunningProxy } from '../src/router/proxy.js';
import { loadRuleText } from '../src/rules/load.js';
import { startLedgerStack, waitFor, type LedgerStack } from './helpers/ledger-stack.js';
import { proxyFor, RawClient, startUpstream, type Upstream } from './helpers/transparency-upstream.js';

/**
 * Attack: exhausting the data plane with oversized headers and slow clients.
 *
 * The answers: headers over Node's 16 KiB are a 431 and the connection is
 * closed; a client that sends its headers, or its body, too slowly is cut
 * off with a 408 after `clientTimeouts.headersMs` / `requestMs` (small here
 * so the suite stays quick), and each is counted in
 * strangler_client_refusals_total. Nothing of such a request reaches the
 * upstream as a whole request. Request bodies are streamed, never held
 * whole: what the proxy keeps of one is bounded (a shadow copy by
 * `shadow.maxBodyBytes`, a fallback replay by 1 MiB), which
 * test/shadow-isolation.test.ts and test/modes.test.ts cover.
 */

let upstream: Upstream;
let proxy: RunningProxy;
const refusals: ClientRefusal[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await proxyFor(upstream.url, { clientTimeouts: { headersMs: 300, requestMs: 800 } }, { onRefused: (r) => refusals.push(r) });
});
afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});
beforeEach(() => {
  refusals.length = 0;
  upstream.seen.length = 0;
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Writes `bytes`, then reads until the proxy closes the connection. */
async function sendAndWaitClose(bytes: string): Promise<string> {
  const c = await RawClient.connect(proxy.port);
  try {
    await c.write(bytes);
    await c.waitEnded(5_000);
    return c.all.toString('latin1');
  } finally {
    c.destroy();
  }
}

describe('oversized headers: 431, connection closed, nothing forwarded', () => {
  it('one header of 20 KiB', async () => {
    const text = await sendAndWaitClose(`GET /a HTTP/1.1\r\nHost: app.example\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(upstream.seen).toEqual([]);
    expect(refusals).toEqual(['header-overflow']);
  });

  it('many small headers adding up past 16 KiB', async () => {
    const headers = Array.from({ length: 1500 }, (_, i) => `X-H${i}: 0123456789\r\n`).join('');
    const text = await sendAndWaitClose(`GET /a HTTP/1.1\r\nHost: app.example\r\n${headers}\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(upstream.seen).toEqual([]);
  });

  it('a request target of 20 KiB', async () => {
    const text = await sendAndWaitClose(`GET /${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: app.example\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(upstream.seen).toEqual([]);
  });

  it('headers just under the limit still pass', async () => {
    const text = await sendAndWaitClose(`GET /a HTTP/1.1\r\nHost: app.example\r\nX-Big: ${'a'.repeat(12 * 1024)}\r\nConnection: close\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(upstream.seen).toHaveLength(1);
  });
});

describe('slow clients (slowloris) are cut off and counted', () => {
  it('headers sent one byte at a time, never finished: 408 and the connection closed', async () => {
    const c = await RawClient.connect(proxy.port);
    try {
      await c.write('GET /a HTTP/1.1\r\nHost: app.example\r\n');
      // Keep the connection busy, well past headersMs, the way slowloris does: a byte now and then.
      for (let i = 0; i < 60 && !c.ended; i++) {
        await c.write('X').catch(() => undefined);
        await sleep(50);
      }
      await c.waitEnded(5_000);
      expect(c.all.toString('latin1')).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      c.destroy();
    }
    expect(upstream.seen).toEqual([]);
    expect(refusals).toEqual(['timeout']);
  });

  it('a connection that never sends a byte is closed', async () => {
    const c = await RawClient.connect(proxy.port);
    try {
      await c.waitEnded(5_000);
    } finally {
      c.destroy();
    }
    expect(upstream.seen).toEqual([]);
  });

  it('a body sent a byte at a time, never finished: the request is cut off at requestMs, and the upstream never gets it whole', async () => {
    const c = await RawClient.connect(proxy.port);
    try {
      await c.write('POST /slow-body HTTP/1.1\r\nHost: app.example\r\nContent-Length: 1000\r\n\r\n');
      for (let i = 0; i < 100 && !c.ended; i++) {
        await c.write('x').catch(() => undefined);
        await sleep(50);
      }
      await c.waitEnded(5_000);
    } finally {
      c.destroy();
    }
    // The upstream was streamed the start of the body, and never its end.
    expect(upstream.seen.filter((s) => s.url === '/slow-body')).toEqual([]);
    expect(refusals).toContain('timeout');
  });

  it('a client that finishes in time on a kept-alive connection is served, every time', async () => {
    const c = await RawClient.connect(proxy.port);
    try {
      for (let i = 0; i < 3; i++) {
        await c.write(`GET /ok/${i} HTTP/1.1\r\nHost: app.example\r\n\r\n`);
        expect((await c.readResponse()).status).toBe(200);
        await sleep(150);
      }
    } finally {
      c.destroy();
    }
    expect(refusals).toEqual([]);
  });
});

describe('clientTimeouts in the rule file', () => {
  it('headersMs over requestMs is refused at its line', () => {
    const text = 'legacy: http://127.0.0.1:3000\nclientTimeouts:\n  headersMs: 5000\n  requestMs: 1000\n';
    const r = loadRuleText(text, 'strangler.yaml', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toMatchObject([{ file: 'strangler.yaml', line: 3, field: 'clientTimeouts.headersMs', message: expect.stringMatching(/at most requestMs/) }]);
  });

  it('is a process setting: the admin API cannot change it', async () => {
    const stack = await startLedgerStack({ rules: (u) => `legacy: ${u.legacy}\ndatabase: ./strangler.db\nclientTimeouts: { headersMs: 300, requestMs: 800 }\n` });
    try {
      const put = await stack.api('PUT', '/api/routes', { clientTimeouts: { headersMs: 100000, requestMs: 100000 } });
      expect(put.status).toBe(400);
      expect(JSON.stringify(put.body)).toContain('clientTimeouts is a process setting');
    } finally {
      await stack.close();
    }
  });
});

describe('counted where an operator looks: /metrics', () => {
  let stack: LedgerStack;
  beforeAll(async () => {
    stack = await startLedgerStack({ rules: (u) => `legacy: ${u.legacy}\ndatabase: ./strangler.db\nclientTimeouts: { headersMs: 300, requestMs: 800 }\n` });
  });
  afterAll(() => stack?.close());

  it('a slowloris client shows as strangler_client_refusals_total{reason="timeout"}, and the proxy serves on', async () => {
    const port = Number(new URL(stack.app.proxy.url).port);
    const c = await RawClient.connect(port);
    try {
      await c.write('GET /a HTTP/1.1\r\nHost: app.example\r\nX-Slow: ');
      for (let i = 0; i < 60 && !c.ended; i++) {
        await c.write('x').catch(() => undefined);
        await sleep(50);
      }
      await c.waitEnded(5_000);
    } finally {
      c.destroy();
    }
    const metrics = await waitFor(async () => {
      const m = await stack.api('GET', '/metrics', undefined, { token: null });
      return /strangler_client_refusals_total\{reason="timeout"\} 1\b/.test(m.body) ? (m.body as string) : undefined;
    }, 'the timeout in /metrics');
    expect(metrics).toContain('# TYPE strangler_client_refusals_total counter');
    expect((await stack.proxy('GET', '/after')).body).toMatchObject({ from: 'legacy', url: '/after' });
  });
});
