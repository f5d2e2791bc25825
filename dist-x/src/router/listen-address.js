import { parseListen } from '../rules/listen-address.js';
export { parseListen };
/** Starts `server` on a `HOST:PORT` address; resolves with the URL and port it got (port 0 picks one). */
export async function listenOn(server, listen) {
    const { host, port } = parseListen(listen);
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
        });
    });
    const a = server.address();
    const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return { url: `http://${shown}:${a.port}`, port: a.port };
}
//# sourceMappingURL=listen-address.js.map