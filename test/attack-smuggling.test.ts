import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/router/proxy.js';
import { proxyFor, RawClient, startRawUpstream, type RawUpstream } from './helpers/transparency-upstream.js';

/**
 * Attack: request smuggling. Each shape is written byte for byte on a raw
 * socket to the data plane; behind it a raw TCP upstream parses what it
 * gets with a strict HTTP/1.1 reader and keeps every request it finds.
 *
 * The answer, for every shape: either the proxy refuses it (400 from Node's
 * parser, 501 for a transfer coding it cannot pass on) and closes the
 * connection, so the bytes after it are never read as a request; or it is
 * normalised the way Node's parser reads it and the upstream gets exactly
 * one request with exactly one framing (Content-Length or chunked, never
 * both), and nothing after it.
 */

interface Received {
  head: string;
  requestLine: string;
  headers: Array<[string, string]>;
  framing: 'none' | 'length' | 'chunked';
  body: Buffer;
}

/** What the upstream got on all its connections, in order, and whether it ever saw a message it could not frame. */
let received: Received[] = [];
let unframeable: string[] = [];
/** Bytes after the last complete request on any connection (should stay empty). */
let leftovers: string[] = [];

const CRLF2 = Buffer.from('\r\n\r\n');

/** One strict HTTP/1.1 request at the start of `buf`, or null while incomplete. */
function parseRequest(buf: Buffer): { request: Received; used: number } | null {
  const end = buf.indexOf(CRLF2);
  if (end === -1) return null;
  const head = buf.subarray(0, end).toString('latin1');
  const [requestLine, ...lines] = head.split('\r\n');
  const headers = lines.map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]);
  const named = (n: string) => headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
  const te = named('transfer-encoding');
  const cl = named('content-length');
  if ((te.length > 0 && cl.length > 0) || te.length > 1 || cl.length > 1 || (te.length === 1 && te[0]!.toLowerCase() !== 'chunked')) {
    throw new Error(`ambiguous framing: ${JSON.stringify(head)}`);
  }
  let at = end + 4;
  if (te.length === 1) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd === -1) return null;
      const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
      at = lineEnd + 2;
      if (size === 0) {
        if (buf.length < at + 2) return null;
        return { request: { head, requestLine: requestLine!, headers, framing: 'chunked', body: Buffer.concat(parts) }, used: at + 2 };
      }
      if (buf.length < at + size + 2) return null;
      parts.push(buf.subarray(at, at + size));
      at += size + 2;
    }
  }
  if (cl.length === 1) {
    const n = Number(cl[0]);
    if (buf.length < at + n) return null;
    return { request: { head, requestLine: requestLine!, headers, framing: 'length', body: buf.subarray(at, at + n) }, used: at + n };
  }
  return { request: { head, requestLine: requestLine!, headers, framing: 'none', body: Buffer.alloc(0) }, used: at };
}

let upstream: RawUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startRawUpstream((socket: net.Socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        let parsed: ReturnType<typeof parseRequest>;
        try {
          parsed = parseRequest(buf);
        } catch (err) {
          unframeable.push((err as Error).message);
          socket.destroy();
          return;
        }
        if (!parsed) break;
        received.push(parsed.request);
        buf = buf.subarray(parsed.used);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
    socket.on('close', () => {
      if (buf.length) leftovers.push(buf.toString('latin1'));
    });
  });
  proxy = await proxyFor(upstream.url);
});
afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});
beforeEach(() => {
  received = [];
  unframeable = [];
  leftovers = [];
});

/** Writes `bytes` on a fresh connection; reads until `responses` answers are in or the proxy closes it. */
async function send(bytes: string, responses = 1): Promise<{ text: string; statuses: number[]; closed: boolean }> {
  const c = await RawClient.connect(proxy.port);
  const statuses = () => [...c.all.toString('latin1').matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  try {
    await c.write(bytes);
    await c.waitFor(() => c.ended || statuses().length >= responses, 'the answers or the end of the connection', 3_000);
    // A refusal closes the connection right after its answer: wait for that too, briefly.
    await c.waitFor(() => c.ended, 'the connection to close', 300).catch(() => undefined);
    return { text: c.all.toString('latin1'), statuses: statuses(), closed: c.ended };
  } finally {
    c.destroy();
  }
}

const HOST = 'Host: app.example\r\n';

/**
 * A chunked request body goes on chunked, or with Content-Length when it has
 * all arrived before the upstream request is written (undici counts it):
 * either way exactly one framing, which the strict reader above checks.
 */
function expectOneFraming(r: Received): void {
  expect(['length', 'chunked']).toContain(r.framing);
}
/** A second request glued after the first: if it ever reaches the upstream, it was smuggled. */
const SMUGGLED = `GET /smuggled HTTP/1.1\r\n${HOST}\r\n`;

describe('refused by the parser: 400 and the connection closed, nothing reaches the upstream', () => {
  const shapes: Array<[string, string]> = [
    ['Content-Length and Transfer-Encoding together (CL.TE)', `POST /a HTTP/1.1\r\n${HOST}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX`],
    ['Transfer-Encoding and Content-Length together (TE.CL)', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n`],
    ['two differing Content-Length lines', `POST /a HTTP/1.1\r\n${HOST}Content-Length: 4\r\nContent-Length: 40\r\n\r\nabcd`],
    ['two equal Content-Length lines', `POST /a HTTP/1.1\r\n${HOST}Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd`],
    ['a Content-Length list', `POST /a HTTP/1.1\r\n${HOST}Content-Length: 4, 4\r\n\r\nabcd`],
    ['a signed Content-Length', `POST /a HTTP/1.1\r\n${HOST}Content-Length: +4\r\n\r\nabcd`],
    ['a negative Content-Length', `POST /a HTTP/1.1\r\n${HOST}Content-Length: -1\r\n\r\n`],
    ['two Transfer-Encoding: chunked lines', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`],
    ['a space before the colon of Transfer-Encoding', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\nabcd`],
    ['a space before the colon of Content-Length', `POST /a HTTP/1.1\r\n${HOST}Content-Length : 4\r\n\r\nabcd`],
    ['Transfer-Encoding folded onto a second line (obs-fold)', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: identity\r\n chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`],
    ['any other header folded (obs-fold)', `GET /a HTTP/1.1\r\n${HOST}X-Note: one\r\n two\r\n\r\n`],
    ['bare LF line ends', `GET /a HTTP/1.1\nHost: app.example\nX-A: 1\n\n`],
    ['one bare LF among CRLFs', `GET /a HTTP/1.1\r\n${HOST}X-A: 1\nTransfer-Encoding: chunked\r\n\r\n`],
    ['a bare CR inside the header block', `GET /a HTTP/1.1\r\n${HOST}X-A: 1\rTransfer-Encoding: chunked\r\n\r\n`],
    ['a NUL in a header value', `GET /a HTTP/1.1\r\n${HOST}X-A: a\0b\r\n\r\n`],
    ['a chunk-size line ended by a bare LF', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n4;x\nabcd\r\n0\r\n\r\n`],
    ['a chunk size that overflows 64 bits', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n10000000000000004\r\nabcd\r\n0\r\n\r\n`],
    ['a chunk size that is not hex', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n4g\r\nabcd\r\n0\r\n\r\n`],
    ['an HTTP/1.0 request with Transfer-Encoding and Content-Length', `POST /a HTTP/1.0\r\n${HOST}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\nabcd`],
    ['an HTTP/1.1 request without Host', `GET /a HTTP/1.1\r\n\r\n`],
    ['a space inside the request target', `GET /a b HTTP/1.1\r\n${HOST}\r\n`],
  ];

  it.each(shapes)('%s', async (_name, bytes) => {
    const r = await send(bytes + SMUGGLED);
    expect(r.statuses).toEqual([400]);
    expect(r.closed).toBe(true);
    expect(r.text).toMatch(/\r\nConnection: close\r\n/i);
    expect(received).toEqual([]);
    expect(unframeable).toEqual([]);
  });
});

describe('transfer codings other than chunked: refused, by the parser (400) or by the proxy (501)', () => {
  // Transfer-Encoding is hop-by-hop: the proxy de-chunks and re-frames. A coding under
  // the chunking (gzip, deflate…) would be stripped with it, so the upstream would get
  // compressed bytes labelled as plain ones. RFC 9112 §6.1: 501 for a coding not understood.
  const shapes: Array<[string, string]> = [
    ['chunked, identity', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked, identity\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`],
    ['identity', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: identity\r\n\r\nabcd`],
    ['xchunked', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: xchunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`],
    ['gzip, chunked', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: gzip, chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`],
    ['deflate, chunked', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: deflate, chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`],
    ['gzip then chunked on two lines', `POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`],
  ];

  it.each(shapes)('Transfer-Encoding: %s is refused, never forwarded without its coding', async (_name, bytes) => {
    const r = await send(bytes + SMUGGLED);
    expect(received).toEqual([]);
    // Node's parser refuses some spellings itself (400); the rest the proxy refuses (501).
    expect([[400], [501]]).toContainEqual(r.statuses);
    expect(r.closed).toBe(true);
  });

  it('the 501 says why, in JSON, with X-Strangler-Error', async () => {
    const r = await send(`POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: gzip, chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`);
    expect(r.statuses).toEqual([501]);
    expect(r.text).toMatch(/\r\nx-strangler-error: transfer-coding\r\n/i);
    expect(r.text).toContain('"error":"not_implemented"');
  });
});

describe('normalised the way Node reads them: one request, one framing, nothing after it', () => {
  it('Transfer-Encoding: Chunked (any case) is chunked', async () => {
    const r = await send(`POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: ChUnKeD\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`);
    expect(r.statuses).toEqual([200]);
    expect(received).toHaveLength(1);
    expectOneFraming(received[0]!);
    expect(received[0]!.body.toString()).toBe('abcd');
  });

  it('an HTTP/1.0 request with Transfer-Encoding: chunked is de-chunked and sent as one HTTP/1.1 request', async () => {
    const r = await send(`POST /a HTTP/1.0\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n`);
    expect(r.statuses).toEqual([200]);
    expect(received).toHaveLength(1);
    expect(received[0]!.requestLine).toBe('POST /a HTTP/1.1');
    expectOneFraming(received[0]!);
    expect(received[0]!.body.toString()).toBe('abcd');
  });

  it('a body that looks like a request stays a body (Content-Length)', async () => {
    const body = SMUGGLED;
    const r = await send(`POST /a HTTP/1.1\r\n${HOST}Content-Length: ${body.length}\r\n\r\n${body}`);
    expect(r.statuses).toEqual([200]);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ requestLine: 'POST /a HTTP/1.1', framing: 'length' });
    expect(received[0]!.body.toString()).toBe(body);
  });

  it('a chunked body that looks like a request stays a body, with chunk extensions and trailers dropped', async () => {
    const r = await send(`POST /a HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n${SMUGGLED.length.toString(16)};ext=1\r\n${SMUGGLED}\r\n0\r\nX-Trailer: t\r\n\r\n`);
    expect(r.statuses).toEqual([200]);
    expect(received).toHaveLength(1);
    expectOneFraming(received[0]!);
    expect(received[0]!.body.toString()).toBe(SMUGGLED);
    expect(received[0]!.head).not.toMatch(/trailer/i);
  });

  it('pipelined requests on one connection reach the upstream as the same requests, each framed once', async () => {
    const r = await send(
      `POST /one HTTP/1.1\r\n${HOST}Content-Length: 3\r\n\r\nabc` +
        `POST /two HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n` +
        `GET /three HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
      3,
    );
    expect(r.statuses).toEqual([200, 200, 200]);
    // Node hands pipelined requests on as they are read, so they may reach the upstream on several connections, in any order.
    const byLine = new Map(received.map((x) => [x.requestLine, x]));
    expect(received).toHaveLength(3);
    expect(byLine.get('POST /one HTTP/1.1')).toMatchObject({ framing: 'length', body: Buffer.from('abc') });
    expect(byLine.get('POST /two HTTP/1.1')?.body.toString()).toBe('de');
    expectOneFraming(byLine.get('POST /two HTTP/1.1')!);
    expect(byLine.get('GET /three HTTP/1.1')).toMatchObject({ framing: 'none', body: Buffer.alloc(0) });
  });

  it('a Content-Length with leading zeros is that length', async () => {
    const r = await send(`POST /a HTTP/1.1\r\n${HOST}Content-Length: 0004\r\n\r\nabcd`);
    expect(r.statuses).toEqual([200]);
    expect(received).toHaveLength(1);
    expect(received[0]!.body.toString()).toBe('abcd');
  });

  it('two Host lines: the first is matched and forwarded, the second dropped', async () => {
    const r = await send(`GET /a HTTP/1.1\r\nHost: first.example\r\nHost: second.example\r\nConnection: close\r\n\r\n`);
    expect(r.statuses).toEqual([200]);
    expect(received).toHaveLength(1);
    const hosts = received[0]!.headers.filter(([k]) => k.toLowerCase() === 'host').map(([, v]) => v);
    expect(hosts).toEqual(['first.example']);
  });

  afterAll(() => {
    // No message the upstream got was ambiguous, and no connection ended mid-message.
    expect(unframeable).toEqual([]);
    expect(leftovers).toEqual([]);
  });
});
