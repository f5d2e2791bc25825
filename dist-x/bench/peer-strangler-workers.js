import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processUsage } from '../src/cli/cluster-messages.js';
import { startCluster } from '../src/cli/start-cluster.js';
import { startFromFile } from '../src/cli/start.js';
import { silentLogger } from '../src/log.js';
import { arg, survive, uncaughtCount } from './child-ipc.js';
import { routeSet } from './route-set.js';
/**
 * strangler as `strangler start` runs it with `workers: N`: the same rule
 * file as peer-strangler-ledger.ts (100 legacy routes, a SQLite ledger in
 * a fresh temp folder, admin API, metrics, rule-file watch), ledger on.
 * `--workers=1` is one process without cluster, exactly as today;
 * `--workers=2` is this process as the primary and two data-plane workers.
 * Its `usage` answer adds up every process (the primary and each worker
 * that answers), so CPU per request is the whole proxy's.
 */
survive('strangler workers');
const target = arg('target');
const workers = Number(arg('workers', '1'));
const routeCount = Number(arg('routes', '100'));
const dir = mkdtempSync(path.join(tmpdir(), 'strangler-bench-workers-'));
const ruleFile = path.join(dir, 'rules.yaml');
// JSON is YAML; a fixed token keeps the "generated admin token" banner off the benchmark's stderr.
writeFileSync(ruleFile, JSON.stringify({ legacy: target, routes: routeSet(routeCount), database: './ledger.db', workers, admin: { token: randomBytes(24).toString('base64url') } }, null, 2));
const options = { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', signals: false, logger: silentLogger };
let port;
let usage;
let stop;
if (workers === 1) {
    const s = await startFromFile(ruleFile, options);
    port = s.proxy.port;
    usage = async () => [processUsage()];
    stop = s.stop;
}
else {
    const s = await startCluster(ruleFile, workers, options);
    port = s.port;
    usage = s.usage;
    stop = s.stop;
}
process.on('message', (msg) => {
    if (msg?.type !== 'usage')
        return;
    void usage().then((all) => {
        const sum = (k) => all.reduce((n, u) => n + u[k], 0);
        // Peak RSS of all processes added: each one's peak, an upper bound of what they held at once.
        const report = { type: 'usage', userUs: sum('userUs'), systemUs: sum('systemUs'), maxRssKb: sum('maxRssKb'), uncaught: uncaughtCount(), processes: all.length };
        process.send?.(report);
    });
});
// The parent going away stops everything: workers drain and write their ledgers, then the folder goes.
process.on('disconnect', () => {
    void stop().finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
    });
});
process.stdout.write(`${port}\n`);
//# sourceMappingURL=peer-strangler-workers.js.map