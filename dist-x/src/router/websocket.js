import { createProxyServer } from 'http-proxy-3';
import { RequestView } from '../rules/request-view.js';
import { decide } from './decide.js';
import { ambiguousPath } from './refusal.js';
/**
 * WebSocket (and other Upgrade) requests: routed by the same rules and
 * modes as plain requests, then tunnelled by http-proxy-3. There is no
 * fallback once a tunnel is open.
 */
export function createUpgradeHandler(getState, logger, onRefused) {
    const proxy = createProxyServer({ ws: true, xfwd: true });
    proxy.on('error', (err, _req, socket) => {
        logger.warn({ err: err.message }, 'upgrade to upstream failed');
        const s = socket;
        if (s && 'writable' in s && s.writable) {
            const body = '{"error":"bad_gateway","reason":"refused"}';
            s.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Strangler-Error: refused\r\nConnection: close\r\n\r\n${body}`);
        }
    });
    return function handleUpgrade(req, socket, head) {
        socket.on('error', () => socket.destroy());
        const state = getState();
        const view = new RequestView(req.method ?? 'GET', req.url ?? '/', req.headers, req.socket.remoteAddress ?? '');
        const matched = state.table.match(view);
        const misread = state.table.misreading(view, matched);
        if (misread) {
            onRefused?.('ambiguous-path');
            // The same refusal as a plain request's: a tunnel must not open where the spelling, not the rules, decides.
            const r = ambiguousPath(view.rawPath, matched?.route.name ?? null, misread);
            const body = JSON.stringify({ error: 'bad_request', reason: r.reason, message: r.message });
            socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Strangler-Error: ambiguous-path\r\nConnection: close\r\n\r\n${body}`);
            return;
        }
        const plan = decide(matched, view, state.targets);
        const target = plan.primary;
        proxy.ws(req, socket, head, {
            target: target.origin + target.basePath,
            changeOrigin: target.hostHeader === 'target',
            headers: target.hostHeader !== 'keep' && target.hostHeader !== 'target' ? { host: target.hostHeader } : undefined,
        });
    };
}
//# sourceMappingURL=websocket.js.map