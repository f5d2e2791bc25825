import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFromFile } from '../src/cli/start.js';
import { silentLogger } from '../src/log.js';
import { RequestView } from '../src/rules/request-view.js';
import { announceReady, answer, arg, survive } from './child-ipc.js';
import { routeSet, UNCLAIMED_PATH } from './route-set.js';
const ledgerOn = arg('ledger') === 'on';
survive(`strangler, ledger ${ledgerOn ? 'on' : 'off'}`);
const target = arg('target');
const routeCount = Number(arg('routes', '100'));
const dir = mkdtempSync(path.join(tmpdir(), 'strangler-bench-ledger-'));
const ruleFile = path.join(dir, 'rules.yaml');
// JSON is YAML; a fixed token keeps the "generated admin token" banner off the benchmark's stderr.
writeFileSync(ruleFile, JSON.stringify({ legacy: target, routes: routeSet(routeCount), database: './ledger.db', admin: { token: randomBytes(24).toString('base64url') } }, null, 2));
const started = await startFromFile(ruleFile, {
    listen: '127.0.0.1:0',
    adminListen: '127.0.0.1:0',
    signals: false,
    ledger: ledgerOn,
    logger: silentLogger,
});
const hit = started.proxy.state().table.match(new RequestView('GET', UNCLAIMED_PATH, { host: '127.0.0.1' }));
if (hit !== null)
    throw new Error(`route ${hit.route.name} claims ${UNCLAIMED_PATH}; the benchmark wants an unclaimed path`);
// In both peers, so the on/off comparison is not skewed by it; one more listener on 'request' costs next to nothing.
let requestsReceived = 0;
started.proxy.server.on('request', () => requestsReceived++);
const counters = () => (started.ledger ? { ...started.ledger.stats } : undefined);
answer('settle', () => {
    started.ledger?.flush();
    const one = (sql) => started.db.prepare(sql).pluck().get() ?? 0;
    return {
        type: 'settle',
        ledger: counters() ?? null,
        requestsReceived,
        rowRequests: one('SELECT SUM(requests) FROM traffic_minutes'),
        minuteRows: one('SELECT COUNT(*) FROM traffic_minutes'),
        endpoints: one('SELECT COUNT(*) FROM endpoints'),
        databaseBytes: ['', '-wal'].reduce((n, suffix) => n + (statSync(`${started.db.name}${suffix}`, { throwIfNoEntry: false })?.size ?? 0), 0),
    };
});
announceReady(started.proxy.port, () => {
    started.proxy.server.closeAllConnections();
    started.ledger?.close();
    started.db.close();
    rmSync(dir, { recursive: true, force: true });
}, ledgerOn ? () => counters() : undefined);
//# sourceMappingURL=peer-strangler-ledger.js.map