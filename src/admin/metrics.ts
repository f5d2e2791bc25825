import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ExchangeFact } from '../router/proxy-handler.js';
import type { WriterStats } from '../store/batched-writer.js';
import { ExchangeTally, LabelCounts, registerComputed } from './exchange-tally.js';

const LATENCY = 'strangler_request_duration_seconds';
const CIRCUIT_OPEN = 'strangler_shadow_circuit_open';

/**
 * Prometheus metrics for /metrics. `observe` runs once per exchange on the
 * data plane, so it does only counter and histogram updates; ledger figures
 * are read when scraped.
 */
export interface ProxyMetrics {
  registry: Registry;
  observe(fact: ExchangeFact): void;
  reload(result: 'applied' | 'rejected'): void;
  /** One shadow or noise copy and how it ended (compared, or why not). */
  shadow(kind: 'shadow' | 'noise', outcome: string): void;
  /** A client request the proxy answered itself and never forwarded: refused, timed out, unparseable. */
  refused(reason: string): void;
  /** A shadow lane's circuit opened (copies to `target` paused) or closed. */
  circuit(target: string, open: boolean): void;
}

/** One process's metrics as prom-client exports them to be added up with other processes' (getMetricsAsJSON). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export interface MetricsOptions {
  /** Where to register; a ClusterRegistry in the primary of workers: N. */
  registry?: Registry;
  /** This process is data-plane worker number `worker` (1…N): its requests are also counted by worker. */
  worker?: number;
}

export function createMetrics(ledgerStats: () => WriterStats | undefined, opts: MetricsOptions = {}): ProxyMetrics {
  const registry = opts.registry ?? new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'strangler_' });
  const tally = new ExchangeTally([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  registerComputed(registry, {
    name: 'strangler_requests_total',
    help: 'Requests answered, by route, target and status class',
    type: 'counter',
    values: () => tally.requestValues(),
    reset: () => tally.reset(),
  });
  registerComputed(registry, {
    name: LATENCY,
    help: 'Time from request to the end of the response, by route and target',
    type: 'histogram',
    values: () => tally.latencyValues(LATENCY),
    reset: () => tally.reset(),
  });
  // Bumped per exchange when a target is down or a shadow service hangs: counted in maps, read when scraped.
  const counted = (name: string, help: string, labelNames: readonly [string] | readonly [string, string]): LabelCounts => {
    const counts = new LabelCounts(labelNames);
    registerComputed(registry, { name, help, type: 'counter', values: () => counts.values(), reset: () => counts.reset() });
    return counts;
  };
  const fallbacks = counted('strangler_fallbacks_total', 'Requests answered by legacy after the service failed', ['route']);
  const upstreamErrors = counted('strangler_upstream_errors_total', 'Forwards that got no usable response, by target and reason', ['target', 'reason']);
  const reloads = new Counter({
    name: 'strangler_rule_reloads_total',
    help: 'Rule file reloads, applied or rejected',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'strangler_ledger_records_dropped',
    help: 'Ledger records dropped because the queue was full or a batch failed',
    registers: [registry],
    collect() {
      this.set(ledgerStats()?.dropped ?? 0);
    },
  });
  new Gauge({
    name: 'strangler_ledger_batches_failed',
    help: 'Ledger batches that could not be written (database read-only, locked or full); their records are in strangler_ledger_records_dropped',
    registers: [registry],
    collect() {
      this.set(ledgerStats()?.failedBatches ?? 0);
    },
  });
  new Gauge({
    name: 'strangler_ledger_queued',
    help: 'Ledger records waiting to be written',
    registers: [registry],
    collect() {
      this.set(ledgerStats()?.queued ?? 0);
    },
  });
  new Gauge({
    name: 'strangler_ledger_records_written',
    help: 'Ledger records written',
    registers: [registry],
    collect() {
      this.set(ledgerStats()?.written ?? 0);
    },
  });

  const circuits = new Gauge({
    name: CIRCUIT_OPEN,
    help: 'Shadow copies to this target paused after failures in a row (1), or sent (0); with workers, the number of workers that paused them',
    labelNames: ['target'] as const,
    registers: [registry],
  });
  const shadowOutcomes = counted('strangler_shadow_outcomes_total', 'Shadow and noise copies by outcome: match, differ, or why they were not compared', ['kind', 'outcome']);
  const refusals = counted(
    'strangler_client_refusals_total',
    'Client requests answered by the proxy itself and never forwarded, by reason: bad-request, header-overflow, timeout (slow client), no-host, transfer-coding, ambiguous-path',
    ['reason'],
  );
  // Only with workers: one series per worker slot (not per pid, so a restarted worker does not add a series) shows the balance.
  const byWorker =
    opts.worker === undefined ? undefined : counted('strangler_worker_requests_total', 'Requests answered, by data-plane worker (1…N; a restarted worker starts again from 0)', ['worker']);
  const workerSlot = String(opts.worker);

  return {
    registry,
    observe(f) {
      byWorker?.inc(workerSlot);
      tally.add(f.route ?? '', f.target, f.status, f.durationMs / 1000);
      if (f.fellBack) fallbacks.inc(f.route ?? '');
      if (f.error) upstreamErrors.inc(f.target, f.error);
    },
    reload(result) {
      reloads.inc({ result });
    },
    shadow(kind, outcome) {
      shadowOutcomes.inc(kind, outcome);
    },
    refused(reason) {
      refusals.inc(reason);
    },
    circuit(target, open) {
      circuits.set({ target }, open ? 1 : 0);
    },
  };
}

/**
 * /metrics of the whole proxy under workers: N, served by the primary: its
 * own metrics (rule reloads, workers, its process) and every worker's,
 * added up with prom-client's AggregatorRegistry.aggregate: counters and
 * histograms summed per label set, so `strangler_requests_total` and
 * `strangler_process_cpu_seconds_total` are the totals over all processes;
 * event-loop lag is averaged. A worker that does not answer in time (it is
 * restarting) is left out of that scrape.
 */
export class ClusterRegistry extends Registry {
  constructor(private readonly fromWorkers: () => Promise<MetricsJson[]>) {
    super();
  }

  override async metrics(): Promise<string> {
    return (await this.aggregated()).metrics();
  }

  /** The whole proxy's metrics as JSON too, so that a reader (the dashboard's paused targets) need not know about workers. */
  override async getMetricsAsJSON(): Promise<MetricsJson> {
    return (await this.aggregated()).getMetricsAsJSON();
  }

  /** This process's metrics and every worker's, added up. */
  private async aggregated(): Promise<Registry> {
    const all = [await super.getMetricsAsJSON(), ...(await this.fromWorkers())];
    return AggregatorRegistry.aggregate(all);
  }
}

/** A shadow target whose copies are paused now (its lane's circuit open). */
export interface PausedTarget {
  target: string;
  /** Processes that paused it: 1 without workers; with workers, each worker's lane decides for itself. */
  processes: number;
}

/** The paused shadow targets, read from strangler_shadow_circuit_open as /metrics shows it (summed over workers: ClusterRegistry). */
export async function pausedShadowTargets(registry: Registry): Promise<PausedTarget[]> {
  const gauge = (await registry.getMetricsAsJSON()).find((m) => m.name === CIRCUIT_OPEN);
  return (gauge?.values ?? []).filter((v) => v.value > 0).map((v) => ({ target: String(v.labels.target), processes: v.value }));
}

/** The primary's view of its data-plane workers. */
export function workerMetrics(registry: Registry, listening: () => number): { restarted(): void } {
  new Gauge({
    name: 'strangler_workers',
    help: 'Data-plane worker processes listening',
    registers: [registry],
    collect() {
      this.set(listening());
    },
  });
  const restarts = new Counter({
    name: 'strangler_worker_restarts_total',
    help: 'Data-plane workers restarted after they exited',
    registers: [registry],
  });
  return { restarted: () => restarts.inc() };
}
