import http from 'node:http';
import httpProxy from 'http-proxy';
import { announceReady, arg, survive } from './child-ipc.js';
/**
 * The baseline: http-proxy 1.18.1 as a team would deploy it, with a
 * keep-alive agent (without one it opens a connection per request and
 * the comparison would be unfair to it). Default options otherwise.
 */
survive('http-proxy');
const target = arg('target');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target, agent });
proxy.on('error', (_err, _req, res) => {
    if (res instanceof http.ServerResponse && !res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('bad gateway\n');
    }
    else
        res.destroy();
});
const server = http.createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
    announceReady(server.address().port, () => server.closeAllConnections());
});
//# sourceMappingURL=peer-http-proxy.js.map