import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startFromFile } from '../src/cli/start.js';
import { silentLogger } from '../src/log.js';
import { databaseBytes } from '../src/store/open-database.js';
import { RequestView } from '../src/rules/request-view.js';
import { announceReady, answer, arg, survive } from './child-ipc.js';
import { memoryFigures } from './memory-figures.js';
import { routeSet } from './route-set.js';
/**
 * strangler as `strangler start` runs it (rule file, SQLite ledger, admin
 * API, metrics, ShadowDispatcher), with one route that claims the
 * benchmarked path, in one of four configurations:
 *
 * - `route`:  the route in mode legacy: same matching and ledger work, no copies;
 * - `canary`: mode canary at 50 %, sticky by a cookie the load does not send, so each request draws; the service a second backend;
 * - `shadow`: mode shadow at 100 %, the service a second backend, no noise copies;
 * - `noise`:  as `shadow`, with the default noisePercent (10);
 * - `hung`:   as `shadow`, the service a TCP server in this process that
 *             accepts and never answers, timeoutMs 2000.
 *
 * Answers `{ type: 'admin' }` with its admin /metrics URL, where the parent
 * reads the dispatcher's outcome counts.
 */
export const SHADOW_ROUTE = 'catalog-item';
export const SHADOW_PATH = '/api/v1/catalog/items/12345';
export const SHADOW_MODES = ['route', 'canary', 'shadow', 'noise', 'hung'];
const isMain = process.argv[1]?.endsWith('peer-strangler-shadow.js') ?? false;
if (isMain)
    await main();
async function main() {
    const mode = arg('mode');
    if (!SHADOW_MODES.includes(mode))
        throw new Error(`--mode=${mode}: expected one of ${SHADOW_MODES.join(', ')}`);
    survive(`strangler shadow peer (${mode})`);
    const target = arg('target');
    // The hung service: accepts, reads, never writes. Sockets are kept so none is closed by the server.
    let hung = null;
    const hungSockets = new Set();
    let hungAccepted = 0;
    let serviceUrl = mode === 'route' ? target : arg('service', target);
    if (mode === 'hung') {
        hung = net.createServer((s) => {
            hungAccepted++;
            hungSockets.add(s);
            s.on('error', () => undefined);
            s.on('close', () => hungSockets.delete(s));
            s.resume();
        });
        await new Promise((resolve) => hung.listen(0, '127.0.0.1', resolve));
        serviceUrl = `http://127.0.0.1:${hung.address().port}`;
    }
    // Written to the rule file, whose schema fills in the defaults.
    const route = {
        name: SHADOW_ROUTE,
        match: { path: '/api/v1/catalog/items/{id}', methods: ['GET'] },
        mode: mode === 'route' ? 'legacy' : mode === 'canary' ? 'canary' : 'shadow',
        service: 'catalog',
        ...(mode === 'route' ? {} : mode === 'canary' ? { canary: { percent: 50, stickyBy: 'cookie:session' } } : { shadow: shadowSpecFor(mode) }),
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'strangler-bench-shadow-'));
    const ruleFile = path.join(dir, 'rules.yaml');
    // JSON is YAML; a fixed token keeps the "generated admin token" banner off the benchmark's stderr.
    writeFileSync(ruleFile, JSON.stringify({
        legacy: target,
        services: { catalog: serviceUrl },
        routes: [route, ...routeSet(100)],
        database: './ledger.db',
        admin: { token: randomBytes(24).toString('base64url') },
    }, null, 2));
    const started = await startFromFile(ruleFile, { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', signals: false, logger: silentLogger });
    // A benchmark of the wrong route is worse than none.
    const hit = started.proxy.state().table.match(new RequestView('GET', SHADOW_PATH, { host: '127.0.0.1' }));
    if (hit?.route.name !== SHADOW_ROUTE)
        throw new Error(`${SHADOW_PATH} is claimed by ${hit?.route.name ?? 'no route'}, not ${SHADOW_ROUTE}`);
    // The parent reads the dispatcher's counters from the admin /metrics itself (outside the measured windows).
    answer('admin', () => ({ type: 'admin', metricsUrl: `${started.admin.url}/metrics`, hungAccepted }));
    // For the soak: memory and event-loop delay since the last question.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    answer('health', () => {
        const report = {
            type: 'health',
            ...memoryFigures(),
            loopDelayP50Ms: delay.percentile(50) / 1e6,
            loopDelayP99Ms: delay.percentile(99) / 1e6,
            loopDelayMaxMs: delay.max / 1e6,
            ledger: started.ledger ? { ...started.ledger.stats } : null,
            ledgerFileBytes: databaseBytes(started.db),
        };
        delay.reset();
        return report;
    });
    announceReady(started.proxy.port, () => {
        started.proxy.server.closeAllConnections();
        for (const s of hungSockets)
            s.destroy();
        hung?.close();
        started.ledger?.close();
        started.db.close();
        rmSync(dir, { recursive: true, force: true });
    });
}
function shadowSpecFor(mode) {
    const base = { percent: 100, maxPerSecond: 100_000, noisePercent: 0 };
    if (mode === 'noise')
        return { ...base, noisePercent: 10 };
    if (mode === 'hung')
        return { ...base, timeoutMs: 2000 };
    return base;
}
//# sourceMappingURL=peer-strangler-shadow.js.map