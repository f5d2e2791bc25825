import http from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import type { ExchangeFact } from '../src/router/proxy-handler.js';
import { startProxy, type RunningProxy } from '../src/router/proxy.js';
import { RuleFileSchema } from '../src/rules/schema.js';
import { Circuit } from '../src/shadow/circuit.js';
import { ShadowDispatcher } from '../src/shadow/shadow-dispatcher.js';
import type { ShadowRecord } from '../src/shadow/shadow-record.js';
import { send, startNamedServer, until, type NamedServer } from './helpers/modes-servers.js';

/**
 * The shadow lane's circuit breaker: after failures in a row, copies to a
 * sick service stop (counted as dropped-circuit) instead of each holding a
 * slot, a connection and a timer until its timeout; a probe later finds out
 * whether the service is back. First the policy on its own (time passed in),
 * then end to end: real legacy and service servers, a real proxy.
 */

const POLICY = { failures: 3, openMs: 1_000, maxOpenMs: 4_000 };

describe('the circuit on its own', () => {
  it('opens after `failures` transport failures in a row; an answer in between starts the count again', () => {
    const c = new Circuit(POLICY);
    expect(c.failed(0, false)).toBeNull();
    expect(c.failed(1, false)).toBeNull();
    expect(c.answered(2)).toBeNull();
    expect(c.failed(3, false)).toBeNull();
    expect(c.failed(4, false)).toBeNull();
    expect(c.open).toBe(false);
    expect(c.allow(4)).toBe('go');
    expect(c.failed(5, false)).toEqual({ opened: true, forMs: 1_000, failures: 3 });
    expect(c.open).toBe(true);
  });

  it('while open: no copy until the period is over, then exactly one probe per period', () => {
    const c = new Circuit(POLICY);
    for (let t = 0; t < 3; t++) c.failed(t, false);
    expect(c.allow(500)).toBe(false);
    expect(c.allow(1_001)).toBe(false);
    expect(c.allow(1_002)).toBe('probe');
    expect(c.allow(1_003)).toBe(false);
    // The probe never reported (its client went away before it left): another one after a further period.
    expect(c.allow(2_001)).toBe(false);
    expect(c.allow(2_002)).toBe('probe');
  });

  it('a failed probe doubles the pause, up to maxOpenMs; copies sent before the opening failing late do not', () => {
    const c = new Circuit(POLICY);
    for (let t = 0; t < 3; t++) c.failed(t, false);
    // The rest of a hung service's copies time out together just after the opening: nothing new.
    for (let t = 3; t < 20; t++) expect(c.failed(t, false)).toBeNull();
    expect(c.allow(1_002)).toBe('probe');
    expect(c.failed(1_100, true)).toEqual({ opened: true, forMs: 2_000, failures: 4 });
    expect(c.allow(3_099)).toBe(false);
    expect(c.allow(3_100)).toBe('probe');
    expect(c.failed(3_200, true)).toMatchObject({ forMs: 4_000 });
    expect(c.allow(7_200)).toBe('probe');
    expect(c.failed(7_300, true)).toMatchObject({ forMs: 4_000 });
  });

  it('any answer closes it, the probe or a copy sent before the opening', () => {
    const c = new Circuit(POLICY);
    for (let t = 0; t < 3; t++) c.failed(t, false);
    expect(c.answered(700)).toEqual({ closed: true, openedFor: 698 });
    expect(c.open).toBe(false);
    expect(c.allow(701)).toBe('go');
    // The count starts again from nothing.
    expect(c.failed(702, false)).toBeNull();
  });
});

type CircuitChange = { target: string; open: boolean };
type LogLine = { level: number; msg: string; target?: string; dropped?: number };

interface CircuitStack {
  legacy: NamedServer;
  service: NamedServer;
  proxy: RunningProxy;
  dispatcher: ShadowDispatcher;
  records: ShadowRecord[];
  /** The proxy's facts: a copy refused before it left is told there (ExchangeFact.copy), not as a record. */
  facts: ExchangeFact[];
  circuitChanges: CircuitChange[];
  logs: LogLine[];
  close(): Promise<void>;
}

/**
 * A real legacy and service, a dispatcher with POLICY and a proxy with one
 * shadow route (/items/{id}, copies time out after 300 ms). `holdLegacy` and
 * `holdService` say which requests a server never answers.
 */
async function startCircuitStack(o: {
  holdLegacy?: (req: http.IncomingMessage) => boolean;
  holdService?: (req: http.IncomingMessage) => boolean;
  noisePercent: number;
  concurrency?: number;
  queueMax?: number;
}): Promise<CircuitStack> {
  const held: http.ServerResponse[] = [];
  const holding = (hold?: (req: http.IncomingMessage) => boolean) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!hold?.(req)) return false;
    held.push(res);
    return true;
  };
  const legacy = await startNamedServer('legacy', holding(o.holdLegacy));
  const service = await startNamedServer('svc', holding(o.holdService));
  const records: ShadowRecord[] = [];
  const facts: ExchangeFact[] = [];
  const circuitChanges: CircuitChange[] = [];
  const logs: LogLine[] = [];
  const logSink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const dispatcher = new ShadowDispatcher({
    logger: createLogger({ destination: logSink }),
    record: (r) => records.push(r),
    onCircuit: (target, open) => circuitChanges.push({ target, open }),
    concurrency: o.concurrency,
    queueMax: o.queueMax,
    circuit: POLICY,
  });
  const rules = RuleFileSchema.parse({
    legacy: legacy.url,
    services: { svc: service.url },
    routes: [{ name: 'items', match: { path: '/items/{id}' }, mode: 'shadow', service: 'svc', shadow: { timeoutMs: 300, noisePercent: o.noisePercent, maxPerSecond: 100_000 } }],
  });
  const proxy = await startProxy({ rules, listen: '127.0.0.1:0', shadow: dispatcher, onExchange: (f) => facts.push(f) });
  return {
    legacy,
    service,
    proxy,
    dispatcher,
    records,
    facts,
    circuitChanges,
    logs,
    async close() {
      await proxy.close();
      await dispatcher.close();
      for (const res of held) res.destroy();
      await Promise.all([legacy.close(), service.close()]);
    },
  };
}

describe('end to end: a service that hangs, then heals', () => {
  let proxy: RunningProxy;
  let dispatcher: ShadowDispatcher;
  let service: NamedServer;
  let records: ShadowRecord[];
  let facts: ExchangeFact[];
  let circuitChanges: CircuitChange[];
  let logs: LogLine[];
  let stack: CircuitStack;
  let serviceHangs = true;

  beforeAll(async () => {
    stack = await startCircuitStack({ holdService: () => serviceHangs, noisePercent: 0, concurrency: 2, queueMax: 4 });
    ({ proxy, dispatcher, service, records, facts, circuitChanges, logs } = stack);
  });

  afterAll(() => stack?.close());

  /** How each copy ended: a record for those that were sent or waited in the lane, the exchange's fact for those refused at once. */
  const fates = () => [...records.map((r) => r.outcome), ...facts.flatMap((f) => (f.copy ? [f.copy] : []))];
  const outcomes = () => {
    const by: Record<string, number> = {};
    for (const o of fates()) by[o] = (by[o] ?? 0) + 1;
    return by;
  };
  const copiesSeen = () => service.received.length;

  it('after 3 timeouts in a row the copies stop: the waiting ones and every new one are counted as dropped-circuit, the client always gets legacy', async () => {
    // 2 copies in flight and 4 waiting at most: the 2 time out after 300 ms, 2 more go and time out, and the third timeout opens the circuit.
    for (let i = 0; i < 8; i++) {
      const a = await send('GET', `${proxy.url}/items/${i}`);
      expect(a.status).toBe(200);
      expect(a.by).toBe('legacy');
    }
    await until(() => circuitChanges.length > 0, 'the circuit to open');
    expect(circuitChanges).toEqual([{ target: 'svc', open: true }]);
    await until(() => fates().length === 8, 'every copy of the 8 requests to end');
    const o = outcomes();
    expect(o['shadow-timeout']).toBeGreaterThanOrEqual(3);
    expect(o['dropped-circuit']).toBeGreaterThanOrEqual(1);
    expect((o['shadow-timeout'] ?? 0) + (o['dropped-circuit'] ?? 0) + (o['dropped-queue'] ?? 0)).toBe(8);
    expect(dispatcher.counts['dropped-circuit']).toBe(o['dropped-circuit']);
    const paused = logs.filter((l) => l.msg.startsWith('shadow copies to svc paused'));
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ target: 'svc', level: 40 });

    // While it is open, a request gets legacy's answer and no copy leaves.
    const seen = copiesSeen();
    for (let i = 0; i < 5; i++) {
      const a = await send('GET', `${proxy.url}/items/open-${i}`);
      expect(a.status).toBe(200);
      expect(a.by).toBe('legacy');
    }
    await until(() => facts.length === 13, 'the 5 exchanges to end');
    expect(facts.slice(8).map((f) => f.copy)).toEqual(Array(5).fill('dropped-circuit'));
    expect(fates()).toHaveLength(13);
    expect(copiesSeen()).toBe(seen);
  });

  it('after the pause one copy probes; the service answers, the circuit closes and copies are compared again', async () => {
    serviceHangs = false;
    const seen = copiesSeen();
    // The pause is 1 s from the opening: wait it out, then the next copy is the probe.
    await new Promise((r) => setTimeout(r, POLICY.openMs + 100));
    const before = records.length;
    await send('GET', `${proxy.url}/items/probe`);
    await until(() => circuitChanges.length === 2, 'the circuit to close');
    expect(circuitChanges[1]).toEqual({ target: 'svc', open: false });
    expect(copiesSeen()).toBe(seen + 1);
    expect(logs.some((l) => l.msg.startsWith('shadow copies to svc resumed') && l.level === 30)).toBe(true);

    for (let i = 0; i < 3; i++) await send('GET', `${proxy.url}/items/after-${i}`);
    await until(() => records.length === before + 4, 'the probe and 3 copies to be compared');
    // The two servers name themselves in their answers: compared, so `differ`, not dropped.
    expect(records.slice(before).map((r) => r.outcome)).toEqual(['differ', 'differ', 'differ', 'differ']);
    expect(copiesSeen()).toBe(seen + 4);
  });
});

describe('end to end: legacy hangs the noise calls, the service answers', () => {
  let proxy: RunningProxy;
  let dispatcher: ShadowDispatcher;
  let legacy: NamedServer;
  let service: NamedServer;
  let records: ShadowRecord[];
  let circuitChanges: CircuitChange[];
  let stack: CircuitStack;

  beforeAll(async () => {
    // The second legacy call of a noise measurement carries x-strangler-noise: this legacy never answers it.
    stack = await startCircuitStack({ holdLegacy: (req) => req.headers['x-strangler-noise'] === '1', noisePercent: 100 });
    ({ proxy, dispatcher, legacy, service, records, circuitChanges } = stack);
  });

  afterAll(() => stack?.close());

  it("legacy's own lane pauses: noise calls are counted as noise-dropped-circuit, the copies to the service are still compared, the client gets legacy", async () => {
    // One request at a time, each until its copy and its noise call have ended: 3 noise timeouts in a row open legacy's lane.
    for (let i = 0; i < 3; i++) {
      const a = await send('GET', `${proxy.url}/items/${i}`);
      expect(a.by).toBe('legacy');
      await until(() => records.filter((r) => r.kind === 'shadow').length === i + 1, `request ${i}'s copy and noise call to end`);
    }
    expect(dispatcher.counts['noise-shadow-timeout']).toBe(3);
    expect(circuitChanges).toEqual([{ target: 'legacy', open: true }]);

    const noiseCalls = () => legacy.received.filter((r) => r.headers['x-strangler-noise'] === '1').length;
    const calls = noiseCalls();
    for (let i = 0; i < 4; i++) {
      const a = await send('GET', `${proxy.url}/items/open-${i}`);
      expect(a.status).toBe(200);
      expect(a.by).toBe('legacy');
    }
    await until(() => records.filter((r) => r.kind === 'shadow').length === 7, "the 4 requests' copies to be compared");
    expect(dispatcher.counts['noise-dropped-circuit']).toBe(4);
    expect(noiseCalls()).toBe(calls);
    // The service's lane is another lane: its copies went and were compared (the servers name themselves, so `differ`).
    expect(records.filter((r) => r.kind === 'shadow').map((r) => r.outcome)).toEqual(Array(7).fill('differ'));
    expect(service.received).toHaveLength(7);
  });
});
