import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An upstream that fails on request, for the fault suite. A path segment
 * names what it does (`/api/hung/7` hangs), so one server plays every
 * fault and the rule file decides who meets it:
 *
 *   ok       200, JSON naming the upstream and the URL
 *   slow     the same answer, held until `releaseSlow()`
 *   hung     never answers; the connection stays open
 *   reset    reads the request, then resets the connection (RST) without a byte
 *   garbage  answers bytes that are not HTTP and closes
 *   big      200 with a 10 MB body, streamed with backpressure
 *
 * Down is not a path but the server's state: `down()` stops listening and
 * cuts every connection, so connections are refused; `up()` listens again
 * on the same port.
 */

export const FAULTS = ['slow', 'hung', 'reset', 'garbage', 'big'] as const;
export type PathFault = (typeof FAULTS)[number];

export const BIG_BYTES = 10 * 1024 * 1024;
/** The 10 MB body: not one repeated byte, so a lost or reordered chunk changes the digest. */
export const BIG_BODY: Buffer = (() => {
  const b = Buffer.alloc(BIG_BYTES);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(i, i);
  return b;
})();
export const BIG_SHA256 = createHash('sha256').update(BIG_BODY).digest('hex');

export function faultOf(url: string): PathFault | 'ok' {
  for (const segment of url.split('?')[0]!.split('/')) if ((FAULTS as readonly string[]).includes(segment)) return segment as PathFault;
  return 'ok';
}

export interface FaultyUpstream {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** URLs whose request head arrived, in order. */
  readonly seen: string[];
  /** Answers every request held by `slow`. */
  releaseSlow(): void;
  /** Slow answers being held now. */
  held(): number;
  /** Stops listening and cuts every connection: from now on connections are refused. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultyUpstream(name: string): Promise<FaultyUpstream> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  let slow: Array<() => void> = [];

  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = JSON.stringify({ from: name, url: req.url });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push(url);
    req.resume();
    switch (faultOf(url)) {
      case 'ok':
        answer(req, res);
        return;
      case 'slow':
        slow.push(() => answer(req, res));
        return;
      case 'hung':
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'garbage':
        req.socket.end('SSH-2.0-OpenSSH_9.6\r\nthis is not HTTP\r\n\r\n\x00\x01\x02');
        return;
      case 'big': {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG_BYTES });
        let at = 0;
        const pump = () => {
          while (at < BIG_BYTES) {
            const chunk = BIG_BODY.subarray(at, at + 64 * 1024);
            at += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
        return;
      }
    }
  });
  // A hung request must stay hung until the test is done with it.
  server.requestTimeout = 0;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      slow = [];
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  const port = await listen(0);

  return {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    releaseSlow() {
      const held = slow;
      slow = [];
      for (const release of held) release();
    },
    held: () => slow.length,
    down: stop,
    up: async () => {
      await listen(port);
    },
    close: stop,
  };
}
