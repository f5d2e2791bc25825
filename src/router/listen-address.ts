/** `127.0.0.1:8080`, `[::1]:8080`, `:8080` or `8080` → host and port. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d{1,5})$/.exec(listen.trim());
  if (!m) throw new Error(`listen "${listen}" is not HOST:PORT, such as 127.0.0.1:8080`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`listen "${listen}": port ${port} is over 65535`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

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
