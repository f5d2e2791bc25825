import type { Registry } from 'prom-client';

/**
 * The per-exchange series of /metrics (requests by route, target and status
 * class; latency by route and target), counted in plain arrays and turned
 * into Prometheus series only when scraped. prom-client's own inc() and
 * observe() validate and hash the label set on every call, which took about
 * 3 % of the proxy's CPU at full load; here an exchange costs two map
 * lookups and a few increments. The scrape output is the same as
 * prom-client's Counter and Histogram would give, so cluster aggregation
 * (AggregatorRegistry, which sums per label set) works unchanged.
 */

export const STATUS_CLASSES = ['error', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

interface Series {
  readonly route: string;
  readonly target: string;
  /** Answers per status class, in STATUS_CLASSES order. */
  readonly classes: number[];
  /** Observations per latency bucket (not cumulative); the last slot is +Inf. */
  readonly buckets: number[];
  count: number;
  sumSeconds: number;
}

/** One value line of a metric as prom-client's Registry formats and aggregates it. */
interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export class ExchangeTally {
  private readonly byRoute = new Map<string, Map<string, Series>>();

  constructor(readonly bucketBounds: readonly number[]) {}

  add(route: string, target: string, status: number, seconds: number): void {
    let byTarget = this.byRoute.get(route);
    if (byTarget === undefined) this.byRoute.set(route, (byTarget = new Map()));
    let s = byTarget.get(target);
    if (s === undefined) {
      s = { route, target, classes: STATUS_CLASSES.map(() => 0), buckets: [...this.bucketBounds.map(() => 0), 0], count: 0, sumSeconds: 0 };
      byTarget.set(target, s);
    }
    const cls = Math.floor(status / 100);
    s.classes[cls >= 1 && cls <= 5 ? cls : 0]!++;
    const bounds = this.bucketBounds;
    let b = 0;
    while (b < bounds.length && seconds > bounds[b]!) b++;
    s.buckets[b]!++;
    s.count++;
    s.sumSeconds += seconds;
  }

  reset(): void {
    this.byRoute.clear();
  }

  private *series(): Generator<Series> {
    for (const byTarget of this.byRoute.values()) yield* byTarget.values();
  }

  requestValues(): MetricValue[] {
    const out: MetricValue[] = [];
    for (const s of this.series()) {
      s.classes.forEach((n, i) => {
        if (n > 0) out.push({ labels: { route: s.route, target: s.target, class: STATUS_CLASSES[i]! }, value: n });
      });
    }
    return out;
  }

  latencyValues(name: string): MetricValue[] {
    const out: MetricValue[] = [];
    for (const s of this.series()) {
      let cumulative = 0;
      this.bucketBounds.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        out.push({ labels: { le, route: s.route, target: s.target }, value: cumulative, metricName: `${name}_bucket` });
      });
      const labels = { route: s.route, target: s.target };
      out.push(
        { labels: { le: '+Inf', ...labels }, value: s.count, metricName: `${name}_bucket` },
        { labels, value: s.sumSeconds, metricName: `${name}_sum` },
        { labels, value: s.count, metricName: `${name}_count` },
      );
    }
    return out;
  }
}

/**
 * A counter by one or two labels, for series bumped once per exchange on
 * the data plane (shadow outcomes under a hung service, upstream errors
 * under a dead one): two map lookups, where prom-client's inc() would
 * validate and hash the label object every time. Scraped through
 * registerComputed, the same lines prom-client's Counter gives.
 */
export class LabelCounts {
  private readonly byFirst = new Map<string, Map<string, { labels: Record<string, string>; value: number }>>();

  constructor(private readonly labelNames: readonly [string] | readonly [string, string]) {}

  inc(first: string, second = ''): void {
    let bySecond = this.byFirst.get(first);
    if (bySecond === undefined) this.byFirst.set(first, (bySecond = new Map()));
    const c = bySecond.get(second);
    if (c !== undefined) {
      c.value++;
      return;
    }
    const [a, b] = this.labelNames;
    bySecond.set(second, { labels: b === undefined ? { [a]: first } : { [a]: first, [b]: second }, value: 1 });
  }

  values(): MetricValue[] {
    const out: MetricValue[] = [];
    for (const bySecond of this.byFirst.values()) for (const c of bySecond.values()) out.push({ labels: { ...c.labels }, value: c.value });
    return out;
  }

  reset(): void {
    this.byFirst.clear();
  }
}

/**
 * Registers a metric whose values are computed at scrape time. prom-client's
 * Registry needs only `name`, `get()` and `reset()` of what it holds, but its
 * type names its own classes, hence the cast.
 */
export function registerComputed(
  registry: Registry,
  m: { name: string; help: string; type: 'counter' | 'histogram'; values: () => MetricValue[]; reset: () => void },
): void {
  const metric = {
    name: m.name,
    help: m.help,
    type: m.type,
    aggregator: 'sum' as const,
    get: async () => ({ name: m.name, help: m.help, type: m.type, values: m.values(), aggregator: 'sum' as const }),
    reset: m.reset,
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}
