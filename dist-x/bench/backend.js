import http from 'node:http';
import { announceReady } from './child-ipc.js';
/**
 * The upstream every peer forwards to: a fixed ~200-byte JSON answer over
 * keep-alive. Kept as small as possible so that differences between peers
 * are the proxies' own cost, and run in its own process so its CPU is not
 * counted as the proxy's.
 */
const BODY = Buffer.from(JSON.stringify({
    id: 12345,
    sku: 'CAT-12345-BLUE-M',
    name: 'Canvas tote bag, blue, medium',
    price: { amount: 2490, currency: 'EUR' },
    stock: 37,
    tags: ['bags', 'canvas', 'blue'],
    updatedAt: '2024-05-01T12:00:00.000Z',
}));
const server = http.createServer((req, res) => {
    // Drain any body so the connection can be reused.
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
    res.end(BODY);
});
// Longer than the peers' pool idle timeouts, so the server never closes a socket a pool is about to reuse.
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
    announceReady(server.address().port, () => server.closeAllConnections());
});
//# sourceMappingURL=backend.js.map