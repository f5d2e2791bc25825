import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlCommand, shellQuote, type SampleRequest } from '../src/report/curl.js';

/**
 * "Copy as curl", run for real: each command goes through `sh -c` to the
 * system curl, against a server on port 0 that records what arrived, so
 * quoting, the raw path, headers and bodies are checked as bytes on the
 * wire, not as the text of the command.
 */

interface Arrived {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

let server: http.Server;
let base: string;
let arrived: Arrived[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrived.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(req.method === 'HEAD' ? undefined : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function run(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 99) : 0, stdout, stderr });
    });
  });
}

async function replay(req: SampleRequest, at = base): Promise<Arrived> {
  arrived = [];
  const { command } = curlCommand(req, at);
  const r = await run(command);
  expect(r.stderr, command).toBe('');
  expect(r.code, command).toBe(0);
  expect(arrived).toHaveLength(1);
  return arrived[0]!;
}

const get = (url: string, headers: Array<[string, string]> = []): SampleRequest => ({ method: 'GET', url, headers, body: null });

describe('curlCommand', () => {
  it('sends the path byte for byte: `//`, dot segments, brackets and the query kept', async () => {
    const url = '/api//orders/./7/../8?ids[]=1&ids[]=2&q=a%20b&empty=';
    const got = await replay(get(url));
    expect(got.method).toBe('GET');
    expect(got.url).toBe(url);
    expect(curlCommand(get(url), base).command).not.toContain('--request');
  });

  it('quotes any text for the shell: quotes, $, backticks, backslashes and newlines arrive as they were', async () => {
    const body = `{"name":"O'Brien","cmd":"$(touch /tmp/x) \`id\` $HOME","path":"C:\\\\dir","multi":"a\nb"}\n`;
    const got = await replay({
      method: 'POST',
      url: "/api/notes?who=o'brien",
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Quote', `it's "quoted" $PATH`],
      ],
      body,
    });
    expect(got.method).toBe('POST');
    expect(got.url).toBe("/api/notes?who=o'brien");
    expect(got.body.toString('utf8')).toBe(body);
    expect(got.headers['x-quote']).toBe(`it's "quoted" $PATH`);
    expect(got.headers['content-type']).toBe('application/json');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('/plain/path-1.json')).toBe('/plain/path-1.json');
  });

  it('a text body that starts with @ is data, not a file for curl to read', async () => {
    const got = await replay({ method: 'POST', url: '/x', headers: [['Content-Type', 'text/plain']], body: '@/etc/hostname' });
    expect(got.body.toString('utf8')).toBe('@/etc/hostname');
  });

  it('marks redacted values in a comment line and sends them as stored', async () => {
    const req: SampleRequest = get('/api/me?token=[redacted]', [
      ['Authorization', '[redacted]'],
      ['Accept', 'application/json'],
    ]);
    const c = curlCommand(req, base);
    expect(c.redacted).toBe(true);
    expect(c.command.split('\n')[0]).toBe('# values shown as [redacted] were removed before the sample was stored: put the real ones in before running');
    const got = await replay(req);
    expect(got.headers.authorization).toBe('[redacted]');
    expect(got.url).toBe('/api/me?token=[redacted]');
    // A body the ledger redacted says so too, even where no marker shows in the headers.
    expect(curlCommand({ method: 'POST', url: '/x', headers: [], body: '{"a":1}', redacted: true }, base).redacted).toBe(true);
    expect(curlCommand(get('/x', [['Accept', '*/*']]), base)).toMatchObject({ redacted: false });
    expect(curlCommand(get('/x'), base).command).not.toContain('#');
  });

  it('decodes a base64 body to the original bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0x27, 0x0a]);
    const got = await replay({ method: 'PUT', url: '/blob', headers: [['Content-Type', 'application/octet-stream']], body: bytes.toString('base64'), encoding: 'base64' });
    expect(got.method).toBe('PUT');
    expect(got.body.equals(bytes)).toBe(true);
  });

  it('HEAD is sent as HEAD, without a body', async () => {
    const c = curlCommand({ method: 'HEAD', url: '/api/orders/1', headers: [], body: null }, base);
    expect(c.command).toContain('--head');
    const got = await replay({ method: 'HEAD', url: '/api/orders/1', headers: [], body: null });
    expect(got.method).toBe('HEAD');
    expect(got.body.length).toBe(0);
  });

  it('joins a base URL that has a path of its own, with or without its trailing slash', async () => {
    expect((await replay(get('/api/x'), `${base}/prefix/`)).url).toBe('/prefix/api/x');
    expect((await replay(get('/api/x'), `${base}/prefix`)).url).toBe('/prefix/api/x');
  });

  it('leaves out connection headers and Content-Encoding of a body stored decoded; says when a body was not stored', async () => {
    const got = await replay({
      method: 'POST',
      url: '/gz',
      headers: [
        ['Connection', 'keep-alive'],
        ['Content-Length', '999'],
        ['Content-Encoding', 'gzip'],
        ['Content-Type', 'application/json'],
      ],
      body: '{"a":1}',
    });
    expect(got.headers['content-encoding']).toBeUndefined();
    expect(got.headers['content-length']).toBe('7');
    expect(got.body.toString()).toBe('{"a":1}');

    const dropped = curlCommand({ method: 'POST', url: '/big', headers: [['Content-Length', '5000000']], body: null }, base);
    expect(dropped.command).toContain('# the request had a body that was not stored');
    const cut = curlCommand({ method: 'POST', url: '/big', headers: [], body: 'abc', truncated: true }, base);
    expect(cut).toMatchObject({ truncated: true });
    expect(cut.command).toContain('# the body was cut when the sample was stored');
  });

  it('asks curl to decode a coded answer when the client accepted one, and still sends its Accept-Encoding', async () => {
    const req = get('/coded', [['Accept-Encoding', 'gzip, deflate']]);
    expect(curlCommand(req, base).command).toContain('--compressed');
    expect((await replay(req)).headers['accept-encoding']).toBe('gzip, deflate');
    expect(curlCommand(get('/plain'), base).command).not.toContain('--compressed');
  });

  it('keeps repeated headers and their order', async () => {
    const got = await replay(get('/h', [['X-Multi', 'one'], ['Accept', '*/*'], ['X-Multi', 'two']]));
    const names = got.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.filter((n) => n === 'x-multi')).toHaveLength(2);
    expect(got.headers['x-multi']).toBe('one, two');
  });
});
