import { parseListen } from '../rules/listen-address.js';

export { parseListen };

/** Starts `server` on a `HOST:PORT` address; resolves with the URL and port it got (port 0 picks one). */
export async function listenOn(server: import('node:net').Server, listen: string): Promise<{ url: string; port: number }> {
  const { host, port } = parseListen(listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as import('node:net').AddressInfo;
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return { url: `http://${shown}:${a.port}`, port: a.port };
}
