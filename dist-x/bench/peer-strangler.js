import { startProxy } from '../src/router/proxy.js';
import { RequestView } from '../src/rules/request-view.js';
import { RuleFileSchema } from '../src/rules/schema.js';
import { announceReady, arg, survive } from './child-ipc.js';
import { routeSet, UNCLAIMED_PATH } from './route-set.js';
/**
 * strangler as the issue benchmarks it: legacy mode, 100 routes of mixed
 * shapes loaded, and a request path that none of them claims, so every
 * request pays for a full lookup before going to legacy.
 */
survive('strangler');
const target = arg('target');
const routeCount = Number(arg('routes', '100'));
const rules = RuleFileSchema.parse({ legacy: target, routes: routeSet(routeCount) });
const proxy = await startProxy({ rules, listen: '127.0.0.1:0' });
// A benchmark of the wrong path is worse than none: refuse to run if a route claims it.
const hit = proxy.state().table.match(new RequestView('GET', UNCLAIMED_PATH, { host: '127.0.0.1' }));
if (hit !== null)
    throw new Error(`route ${hit.route.name} claims ${UNCLAIMED_PATH}; the benchmark wants an unclaimed path`);
announceReady(proxy.port, () => proxy.server.closeAllConnections());
//# sourceMappingURL=peer-strangler.js.map