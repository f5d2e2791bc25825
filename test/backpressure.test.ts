import net from 'node:net';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/router/proxy.js';
import { eventually, proxyFor, startUpstream, type Upstream } from './helpers/transparency-upstream.js';

/**
 * A client that reads slowly must slow the upstream down, not make the
 * proxy buffer the whole answer in memory.
 */

const CHUNK = Buffer.alloc(64 * 1024, 7);
const CHUNKS = 1024; // 64 MiB: far more than the kernel's socket buffers on loopback hold

let upstream: Upstream;
let proxy: RunningProxy;
let written = 0;
let upstreamDone = false;

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(CHUNK.length * CHUNKS) });
    let i = 0;
    const pump = () => {
      while (i < CHUNKS) {
        i++;
        written += CHUNK.length;
        if (!res.write(CHUNK)) {
          res.once('drain', pump);
          return;
        }
      }
      upstreamDone = true;
      res.end();
    };
    pump();
  });
  proxy = await proxyFor(upstream.url);
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});

describe('backpressure', () => {
  it('pauses the upstream while the client does not read, and delivers every byte once it does', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.pause();
    socket.write('GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    // Give the upstream time to push what it can; with backpressure it stalls far below 20 MiB.
    await eventually(() => written > 0, 'the upstream started writing');
    await new Promise((r) => setTimeout(r, 800));
    const stalledAt = written;
    await new Promise((r) => setTimeout(r, 500));
    // Socket buffers take some megabytes; after that the upstream must be held, not drained into the proxy's memory.
    expect(written).toBe(stalledAt);
    expect(upstreamDone).toBe(false);
    expect(written).toBeLessThan((CHUNK.length * CHUNKS) / 2);

    const hash = createHash('sha256');
    let bodyBytes = 0;
    let head = Buffer.alloc(0);
    let inBody = false;
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (d: Buffer) => {
        if (inBody) {
          hash.update(d);
          bodyBytes += d.length;
          return;
        }
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end !== -1) {
          inBody = true;
          const rest = head.subarray(end + 4);
          hash.update(rest);
          bodyBytes += rest.length;
        }
      });
      socket.on('end', resolve);
      socket.on('error', reject);
      socket.resume();
    });
    expect(head.subarray(0, 15).toString()).toBe('HTTP/1.1 200 OK');
    expect(bodyBytes).toBe(CHUNK.length * CHUNKS);
    const expected = createHash('sha256');
    for (let i = 0; i < CHUNKS; i++) expected.update(CHUNK);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
    expect(upstreamDone).toBe(true);
  });
});
