import http from 'node:http';
import { CLIENT_TIMEOUT_DEFAULTS } from '../rules/schema.js';
import { silentLogger } from '../log.js';
import { listenOn } from './listen-address.js';
import { createProxyHandler } from './proxy-handler.js';
import { buildState } from './state.js';
import { TargetPools } from './targets.js';
import { createUpgradeHandler } from './websocket.js';
import { closingAfterRefusal, markClosing } from './refusal.js';
export async function startProxy(o) {
    const logger = o.logger ?? silentLogger;
    const pools = new TargetPools();
    let current = buildState(o.rules, pools);
    const getState = () => current;
    const t = o.rules.clientTimeouts ?? CLIENT_TIMEOUT_DEFAULTS;
    const server = http.createServer({
        // Slow clients must not hold a connection forever (slowloris).
        headersTimeout: t.headersMs,
        requestTimeout: t.requestMs,
        keepAliveTimeout: t.keepAliveMs,
        // Node enforces the two timeouts above only when it checks, every this often (30 s by default): so up to one interval late.
        connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(t.headersMs / 4))),
        // Checked by the handler, which closes the connection after the 400 (Node's own check reads on).
        requireHostHeader: false,
    }, createProxyHandler({ getState, logger, onExchange: o.onExchange, shadow: o.shadow, onRefused: o.onRefused }));
    server.on('upgrade', createUpgradeHandler(getState, logger, o.onRefused));
    server.on('clientError', (err, socket) => {
        if (err.code === 'ECONNRESET') {
            socket.destroy();
            return;
        }
        // Already answered (a refusal, a timeout) and closing: the parser stumbling on what follows is not a second refusal.
        if (closingAfterRefusal(socket)) {
            socket.end();
            return;
        }
        markClosing(socket);
        const reason = err.code === 'HPE_HEADER_OVERFLOW' ? 'header-overflow' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout' : 'bad-request';
        o.onRefused?.(reason);
        if (!socket.writable) {
            socket.destroy();
            return;
        }
        const status = reason === 'header-overflow' ? '431 Request Header Fields Too Large' : reason === 'timeout' ? '408 Request Timeout' : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
    const bound = await listenOn(server, o.listen ?? o.rules.listen);
    return {
        server,
        url: bound.url,
        port: bound.port,
        state: getState,
        swap(rules) {
            current = buildState(rules, pools);
            return current;
        },
        async close() {
            await new Promise((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
            });
            await pools.closeAll();
        },
    };
}
//# sourceMappingURL=proxy.js.map