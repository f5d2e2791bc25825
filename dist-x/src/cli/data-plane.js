import { startProxy } from '../router/proxy.js';
import { TrafficLedger } from '../progress/traffic-ledger.js';
import { ShadowDispatcher } from '../shadow/shadow-dispatcher.js';
/** Grace period for in-flight requests at shutdown. */
export const DRAIN_MS = 10_000;
export async function startDataPlane(o) {
    const { logger, metrics } = o;
    let ledger = null;
    const onExchange = o.ledger === false
        ? (f) => metrics.observe(f)
        : (f) => {
            metrics.observe(f);
            ledger.record(f);
        };
    const shadow = new ShadowDispatcher({
        logger,
        record: (r) => ledger?.recordShadow(r),
        onCount: (kind, outcome) => metrics.shadow(kind, outcome),
    });
    const proxy = await startProxy({ rules: o.rules, listen: o.listen, logger, onExchange, shadow, onRefused: (reason) => metrics.refused(reason) });
    if (o.ledger !== false) {
        ledger = new TrafficLedger(o.traffic, () => proxy.state().table, logger);
        // Known templates first (routes, then endpoints already in the ledger, OpenAPI imports among them), so traffic lands on them.
        // Only parameterised templates need seeding (literal paths are relearned as they come), and routes last so their names win.
        for (const e of o.traffic.knownPaths().filter((p) => p.includes('{')).slice(0, 500))
            ledger.learner.seed(e);
        for (const r of proxy.state().table.routes)
            if (!r.template.includes('**'))
                ledger.learner.seed(r.template);
    }
    let draining;
    return {
        proxy,
        shadow,
        get ledger() {
            return ledger;
        },
        drain: () => (draining ??= (async () => {
            const drained = new Promise((resolve) => proxy.server.close(() => resolve()));
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
//# sourceMappingURL=data-plane.js.map