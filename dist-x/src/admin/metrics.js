import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { ExchangeTally, registerComputed } from './exchange-tally.js';
const LATENCY = 'strangler_request_duration_seconds';
export function createMetrics(ledgerStats, opts = {}) {
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
    const fallbacks = new Counter({
        name: 'strangler_fallbacks_total',
        help: 'Requests answered by legacy after the service failed',
        labelNames: ['route'],
        registers: [registry],
    });
    const upstreamErrors = new Counter({
        name: 'strangler_upstream_errors_total',
        help: 'Forwards that got no usable response, by target and reason',
        labelNames: ['target', 'reason'],
        registers: [registry],
    });
    const reloads = new Counter({
        name: 'strangler_rule_reloads_total',
        help: 'Rule file reloads, applied or rejected',
        labelNames: ['result'],
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
    const shadowOutcomes = new Counter({
        name: 'strangler_shadow_outcomes_total',
        help: 'Shadow and noise copies by outcome: match, differ, or why they were not compared',
        labelNames: ['kind', 'outcome'],
        registers: [registry],
    });
    const refusals = new Counter({
        name: 'strangler_client_refusals_total',
        help: 'Client requests answered by the proxy itself and never forwarded, by reason: bad-request, header-overflow, timeout (slow client), no-host, transfer-coding, ambiguous-path',
        labelNames: ['reason'],
        registers: [registry],
    });
    // Only with workers: one series per worker slot (not per pid, so a restarted worker does not add a series) shows the balance.
    const byWorker = opts.worker === undefined
        ? undefined
        : new Counter({
            name: 'strangler_worker_requests_total',
            help: 'Requests answered, by data-plane worker (1…N; a restarted worker starts again from 0)',
            labelNames: ['worker'],
            registers: [registry],
        }).labels(String(opts.worker));
    return {
        registry,
        observe(f) {
            byWorker?.inc();
            tally.add(f.route ?? '', f.target, f.status, f.durationMs / 1000);
            if (f.fellBack)
                fallbacks.inc({ route: f.route ?? '' });
            if (f.error)
                upstreamErrors.inc({ target: f.target, reason: f.error });
        },
        reload(result) {
            reloads.inc({ result });
        },
        shadow(kind, outcome) {
            // off
        },
        refused(reason) {
            refusals.inc({ reason });
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
    fromWorkers;
    constructor(fromWorkers) {
        super();
        this.fromWorkers = fromWorkers;
    }
    async metrics() {
        const all = [await this.getMetricsAsJSON(), ...(await this.fromWorkers())];
        return AggregatorRegistry.aggregate(all).metrics();
    }
}
/** The primary's view of its data-plane workers. */
export function workerMetrics(registry, listening) {
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
//# sourceMappingURL=metrics.js.map