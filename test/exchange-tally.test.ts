import { describe, expect, it } from 'vitest';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { ExchangeTally, LabelCounts, registerComputed, STATUS_CLASSES } from '../src/admin/exchange-tally.js';

const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LATENCY = 'strangler_request_duration_seconds';

/** The same exchanges through prom-client's own classes, as /metrics counted them before. */
function reference(exchanges: Array<[string, string, number, number]>): Registry {
  const registry = new Registry();
  const requests = new Counter({ name: 'strangler_requests_total', help: 'h', labelNames: ['route', 'target', 'class'], registers: [registry] });
  const latency = new Histogram({ name: LATENCY, help: 'h', labelNames: ['route', 'target'], buckets: BOUNDS, registers: [registry] });
  for (const [route, target, status, seconds] of exchanges) {
    requests.inc({ route, target, class: STATUS_CLASSES[Math.floor(status / 100)] ?? 'error' });
    latency.observe({ route, target }, seconds);
  }
  return registry;
}

function tallied(exchanges: Array<[string, string, number, number]>): { registry: Registry; tally: ExchangeTally } {
  const registry = new Registry();
  const tally = new ExchangeTally(BOUNDS);
  registerComputed(registry, { name: 'strangler_requests_total', help: 'h', type: 'counter', values: () => tally.requestValues(), reset: () => tally.reset() });
  registerComputed(registry, { name: LATENCY, help: 'h', type: 'histogram', values: () => tally.latencyValues(LATENCY), reset: () => tally.reset() });
  for (const [route, target, status, seconds] of exchanges) tally.add(route, target, status, seconds);
  return { registry, tally };
}

/** Prometheus text as a scraper reads it: the order of series within a family carries no meaning. */
const lines = (text: string) => text.split('\n').sort();

const EXCHANGES: Array<[string, string, number, number]> = [
  ['orders-read', 'orders', 200, 0.0004],
  ['orders-read', 'orders', 200, 0.001], // exactly on a bound: counted in that bucket, as prom-client does
  ['orders-read', 'legacy', 503, 0.02],
  ['', 'legacy', 404, 0.3],
  ['', 'legacy', 0, 12], // no answer at all, beyond the last bound
  ['users', 'users', 302, 0.0031],
  ['users', 'users', 101, 0.05],
];

describe('exchange tally', () => {
  it('scrapes to the same Prometheus text as prom-client Counter and Histogram', async () => {
    expect(lines(await tallied(EXCHANGES).registry.metrics())).toEqual(lines(await reference(EXCHANGES).metrics()));
  });

  it('aggregates across worker processes like prom-client metrics do', async () => {
    const [a, b] = [EXCHANGES.slice(0, 4), EXCHANGES.slice(4)];
    const ours = AggregatorRegistry.aggregate([await tallied(a).registry.getMetricsAsJSON(), await tallied(b).registry.getMetricsAsJSON()]);
    const theirs = AggregatorRegistry.aggregate([await reference(a).getMetricsAsJSON(), await reference(b).getMetricsAsJSON()]);
    expect(lines(await ours.metrics())).toEqual(lines(await theirs.metrics()));
  });

  it('starts again from nothing when the registry is reset', async () => {
    const { registry } = tallied(EXCHANGES);
    registry.resetMetrics();
    expect(await registry.metrics()).toBe(await reference([]).metrics());
  });
});

/** Shadow outcomes as the data plane counts them: (kind, outcome) per copy. */
const OUTCOMES: Array<[string, string]> = [
  ['shadow', 'match'],
  ['shadow', 'dropped-queue'],
  ['shadow', 'match'],
  ['noise', 'match'],
  ['shadow', 'timeout'],
  ['shadow', 'dropped-queue'],
];

function outcomesReference(incs: Array<[string, string]>): Registry {
  const registry = new Registry();
  const c = new Counter({ name: 'strangler_shadow_outcomes_total', help: 'h', labelNames: ['kind', 'outcome'], registers: [registry] });
  for (const [kind, outcome] of incs) c.inc({ kind, outcome });
  return registry;
}

function outcomesCounted(incs: Array<[string, string]>): Registry {
  const registry = new Registry();
  const counts = new LabelCounts(['kind', 'outcome']);
  registerComputed(registry, { name: 'strangler_shadow_outcomes_total', help: 'h', type: 'counter', values: () => counts.values(), reset: () => counts.reset() });
  for (const [kind, outcome] of incs) counts.inc(kind, outcome);
  return registry;
}

describe('label counts', () => {
  it('scrapes to the same Prometheus text as a prom-client Counter with the same labels', async () => {
    expect(lines(await outcomesCounted(OUTCOMES).metrics())).toEqual(lines(await outcomesReference(OUTCOMES).metrics()));
    expect(await outcomesCounted([]).metrics()).toBe(await outcomesReference([]).metrics());
  });

  it('with one label, too', async () => {
    const registry = new Registry();
    const counts = new LabelCounts(['reason']);
    registerComputed(registry, { name: 'strangler_client_refusals_total', help: 'h', type: 'counter', values: () => counts.values(), reset: () => counts.reset() });
    const reference = new Registry();
    const c = new Counter({ name: 'strangler_client_refusals_total', help: 'h', labelNames: ['reason'], registers: [reference] });
    for (const reason of ['timeout', 'bad-request', 'timeout']) {
      counts.inc(reason);
      c.inc({ reason });
    }
    expect(lines(await registry.metrics())).toEqual(lines(await reference.metrics()));
  });

  it('aggregates across worker processes like a prom-client Counter', async () => {
    const [a, b] = [OUTCOMES.slice(0, 3), OUTCOMES.slice(3)];
    const ours = AggregatorRegistry.aggregate([await outcomesCounted(a).getMetricsAsJSON(), await outcomesCounted(b).getMetricsAsJSON()]);
    const theirs = AggregatorRegistry.aggregate([await outcomesReference(a).getMetricsAsJSON(), await outcomesReference(b).getMetricsAsJSON()]);
    expect(lines(await ours.metrics())).toEqual(lines(await theirs.metrics()));
  });
});
