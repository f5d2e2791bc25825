import type { RuleFile } from '../rules/schema.js';
import type { Logger } from '../log.js';
import type { ProxyMetrics } from '../admin/metrics.js';
import { startProxy, type RunningProxy } from '../router/proxy.js';
import type { ExchangeFact } from '../router/proxy-handler.js';
import { TrafficLedger } from '../progress/traffic-ledger.js';
import { ShadowDispatcher } from '../shadow/shadow-dispatcher.js';
import type { TrafficStore } from '../store/traffic.js';

/**
 * The data plane of one process: the proxy, its shadow dispatcher and its
 * ledger. `strangler start` runs one in its own process (workers: 1) or
 * one in each data-plane worker (workers: N); the control plane around it
 * (revisions, admin API, rule-file watch) is the caller's.
 */
export interface DataPlane {
  readonly proxy: RunningProxy;
  readonly shadow: ShadowDispatcher;
  /** Null with `ledger: false`. */
  readonly ledger: TrafficLedger | null;
  /** Stops accepting, lets requests in flight finish (up to DRAIN_MS), abandons shadow copies, writes the ledger. */
  drain(): Promise<void>;
}

export interface DataPlaneOptions {
  rules: RuleFile;
  listen?: string;
  logger: Logger;
  traffic: TrafficStore;
  metrics: ProxyMetrics;
  /** false: no per-exchange ledger (the benchmark's "ledger off"). */
  ledger?: boolean;
}

/** Grace period for in-flight requests at shutdown. */
export const DRAIN_MS = 10_000;

export async function startDataPlane(o: DataPlaneOptions): Promise<DataPlane> {
  const { logger, metrics } = o;
  let ledger: TrafficLedger | null = null;
  const onExchange =
    o.ledger === false
      ? (f: ExchangeFact) => metrics.observe(f)
      : (f: ExchangeFact) => {
          metrics.observe(f);
          ledger!.record(f);
        };
  const shadow = new ShadowDispatcher({
    logger,
    record: (r) => ledger?.recordShadow(r),
    onCount: (kind, outcome) => metrics.shadow(kind, outcome),
    onCircuit: (target, open) => metrics.circuit(target, open),
  });
  const proxy = await startProxy({ rules: o.rules, listen: o.listen, logger, onExchange, shadow, onRefused: (reason) => metrics.refused(reason) });
  if (o.ledger !== false) {
    ledger = new TrafficLedger(o.traffic, () => proxy.state().table, logger);
    // Known templates first (routes, then endpoints already in the ledger, OpenAPI imports among them), so traffic lands on them.
    // Only parameterised templates need seeding (literal paths are relearned as they come), and routes last so their names win.
    for (const e of o.traffic.knownPaths().filter((p) => p.includes('{')).slice(0, 500)) ledger.learner.seed(e);
    for (const r of proxy.state().table.routes) if (!r.template.includes('**')) ledger.learner.seed(r.template);
  }

  let draining: Promise<void> | undefined;
  return {
    proxy,
    shadow,
    get ledger() {
      return ledger;
    },
    drain: () =>
      (draining ??= (async () => {
        const drained = new Promise<void>((resolve) => proxy.server.close(() => resolve()));
        proxy.server.closeIdleConnections();
        const timer = setTimeout(() => proxy.server.closeAllConnections(), DRAIN_MS);
        await drained;
        clearTimeout(timer);
        await proxy.close();
        // Copies still in flight are abandoned: they never hold up a shutdown.
        await shadow.close();
        // Last: every exchange that finished is in the queue; write it before the file closes.
        ledger?.close();
      })()),
  };
}
