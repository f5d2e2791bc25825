import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactBody, redactHeaders, redactUrl } from '../src/shadow/redact.js';
import { rawExchange } from './helpers/transparency-upstream.js';
import { ensureBuilt, startStrangler, type StranglerProcess } from './helpers/strangler-process.js';

/**
 * Attack: reading secrets out of the ledger. A shadow route keeps samples
 * of the requests and of both answers; whoever gets the SQLite file (a
 * backup, a support bundle) must not get the credentials that passed by.
 *
 * The real `strangler` command serves real shadow traffic carrying secrets
 * in every place a request or an answer can hold one; then the bytes of the
 * database file and of its write-ahead log are searched, while the proxy
 * runs (the WAL holds the newest pages) and after it stopped. No secret may
 * appear, neither as written nor base64-encoded as a stored binary body
 * would be; values that are not secret must be there, so the search is
 * known to look at real samples.
 */

const TOKEN = 'attack-secrets-token-0123456789';
const S = {
  bearer: 'SECRET-BEARER-5d1e',
  basic: 'SECRET-BASIC-77aa',
  proxyAuth: 'SECRET-PROXYAUTH-9c2b',
  cookie: 'SECRET-COOKIE-31f0',
  setCookie: 'SECRET-SETCOOKIE-4e88',
  apiKeyHeader: 'SECRET-XAPIKEY-0b7d',
  authTokenHeader: 'SECRET-XAUTHTOKEN-6a35',
  routeHeader: 'SECRET-ROUTEHEADER-12cd',
  queryToken: 'SECRET-QUERYTOKEN-a901',
  queryApiKey: 'SECRET-QUERYAPIKEY-f3e2',
  password: 'SECRET-PASSWORD-hunter2',
  newPassword: 'SECRET-NEWPASSWORD-c0ff',
  clientSecret: 'SECRET-CLIENTSECRET-be11',
  apiKeyMember: 'SECRET-APIKEYMEMBER-7d7d',
  accessToken: 'SECRET-ACCESSTOKEN-8f4c',
  ssn: 'SECRET-SSN-078-05-1120',
  card: 'SECRET-CARD-4111111111111111',
  formPassword: 'SECRET-FORMPASSWORD-2b2b',
  multipartPassword: 'SECRET-MULTIPARTPASSWORD-5e5e',
  xmlPassword: 'SECRET-XMLPASSWORD-9a9a',
  xmlApiKey: 'SECRET-XMLAPIKEY-1c1c',
  gzipPassword: 'SECRET-GZIPPASSWORD-3d3d',
  textPassword: 'SECRET-TEXTPASSWORD-4f4f',
  userinfo: 'SECRET-USERINFO-6b6b',
};
const VISIBLE = ['visible-name-Ada', 'visible-note-17', 'visible-user-ada', 'visible-xml-user'];

let dir: string;
let proc: StranglerProcess | undefined;
const servers: http.Server[] = [];

/** Both sides answer with secrets too; the names differ, so every comparison differs and keeps a sample. */
function upstream(side: string): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({
        side,
        name: 'visible-name-Ada',
        accessToken: S.accessToken,
        profile: { ssn: S.ssn },
        card: { number: S.card, brand: 'visa' },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `session=${S.setCookie}; HttpOnly`, 'x-session-key': S.routeHeader });
      res.end(body);
    });
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function api(apiPath: string): Promise<any> {
  const res = await fetch(proc!.adminUrl + apiPath, { headers: { authorization: `Bearer ${TOKEN}` } });
  return res.json();
}

/** Sends one request as raw bytes, so that even an absolute-form target with credentials goes out as written. */
async function send(method: string, target: string, headers: Array<[string, string]>, body?: Buffer | string): Promise<number> {
  const b = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head = [`${method} ${target} HTTP/1.1`, 'Host: app.example', 'Connection: close', ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (b) head.push(`Content-Length: ${b.length}`);
  const res = await rawExchange(Number(new URL(proc!.url).port), Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), b ?? Buffer.alloc(0)]));
  return res.status;
}

const multipart = (boundary: string) =>
  [
    `--${boundary}`,
    'Content-Disposition: form-data; name="user"',
    '',
    'visible-user-ada',
    `--${boundary}`,
    'Content-Disposition: form-data; name="password"',
    '',
    S.multipartPassword,
    `--${boundary}`,
    'Content-Disposition: form-data; name="avatar"; filename="a.bin"',
    'Content-Type: application/octet-stream',
    '',
    '\x00\x01\x02binary',
    `--${boundary}--`,
    '',
  ].join('\r\n');

const ROUTES = ['account', 'login', 'form', 'upload', 'soap', 'gz', 'text', 'abs'];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'strangler-secrets-'));
  const [legacyUrl, serviceUrl] = await Promise.all([upstream('legacy'), upstream('service'), ensureBuilt()]);
  writeFileSync(
    path.join(dir, 'strangler.yaml'),
    [
      `legacy: ${legacyUrl}`,
      'database: ./ledger.db',
      'admin:',
      '  listen: "127.0.0.1:0"',
      `  token: ${TOKEN}`,
      'services:',
      `  next: ${serviceUrl}`,
      'routes:',
      ...ROUTES.flatMap((name) => [
        `  - name: ${name}`,
        `    match: { path: /${name}/** }`,
        '    mode: shadow',
        '    service: next',
        `    shadow: { unsafe: true, noisePercent: 0, maxPerSecond: 1000, redact: ["$.profile.ssn", "card", "header:x-session-key"] }`,
      ]),
      '',
    ].join('\n'),
  );
  proc = await startStrangler(path.join(dir, 'strangler.yaml'));

  const credentials: Array<[string, string]> = [
    ['Authorization', `Bearer ${S.bearer}`],
    ['Proxy-Authorization', `Basic ${S.proxyAuth}`],
    ['Cookie', `sid=${S.cookie}; theme=dark`],
    ['X-Api-Key', S.apiKeyHeader],
    ['X-Auth-Token', S.authTokenHeader],
    ['X-Session-Key', S.routeHeader],
  ];
  const json: Array<[string, string]> = [['Content-Type', 'application/json']];
  const statuses = [
    await send('GET', `/account/1?access_token=${S.queryToken}&api_key=${S.queryApiKey}&page=2`, credentials),
    await send('GET', '/account/2', [['Authorization', `Basic ${S.basic}`]]),
    await send(
      'POST',
      '/login/1',
      json,
      JSON.stringify({ username: 'visible-user-ada', password: S.password, newPassword: S.newPassword, client_secret: S.clientSecret, api_key: S.apiKeyMember }),
    ),
    await send('POST', '/form/1', [['Content-Type', 'application/x-www-form-urlencoded']], `user=visible-user-ada&password=${S.formPassword}`),
    await send('POST', '/upload/1', [['Content-Type', 'multipart/form-data; boundary=XyZ123']], multipart('XyZ123')),
    await send(
      'POST',
      '/soap/1',
      [['Content-Type', 'text/xml; charset=utf-8']],
      `<?xml version="1.0"?><login><user>visible-xml-user</user><password>${S.xmlPassword}</password><auth apiKey="${S.xmlApiKey}"/><note>visible-note-17</note></login>`,
    ),
    await send('POST', '/gz/1', [...json, ['Content-Encoding', 'gzip']], gzipSync(JSON.stringify({ password: S.gzipPassword, note: 'visible-note-17' }))),
    await send('POST', '/text/1', [['Content-Type', 'text/plain']], `log line: {"user": "visible-user-ada", "password": "${S.textPassword}`),
    await send('GET', `http://ada:${S.userinfo}@app.example/abs/1`, []),
  ];
  expect(statuses.every((s) => s === 200)).toBe(true);
  // Every route has compared its copy and stored its sample.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const report = await api('/api/report');
    const done = ROUTES.every((r) => report.endpoints.some((e: any) => e.route === r && e.compared > 0 && e.differences.some((d: any) => d.samples.length > 0)));
    if (done) break;
    if (Date.now() > deadline) throw new Error(`samples not all stored: ${JSON.stringify(report.endpoints.map((e: any) => [e.route, e.compared]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  if (proc && proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The ways a secret could sit in the bytes: as written, and base64 at each of the three alignments. */
function spellings(secret: string): Buffer[] {
  const out = [Buffer.from(secret)];
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.from('\0'.repeat(pad) + secret).toString('base64');
    // Drop the characters that depend on the padding or on what follows.
    out.push(Buffer.from(b64.slice(Math.ceil((pad * 4) / 3) + 1, -4)));
  }
  return out;
}

function searchFiles(files: string[]): { leaks: string[]; text: string } {
  const leaks: string[] = [];
  let text = '';
  for (const f of files) {
    const bytes = readFileSync(f);
    text += bytes.toString('latin1');
    for (const [what, secret] of Object.entries(S)) {
      if (spellings(secret).some((s) => bytes.includes(s))) leaks.push(`${what} in ${path.basename(f)}`);
    }
  }
  return { leaks, text };
}

describe('the SQLite files hold no secret', () => {
  it('while the proxy runs: the database and its write-ahead log', () => {
    const files = ['ledger.db', 'ledger.db-wal'].map((f) => path.join(dir, f)).filter(existsSync);
    expect(files.map((f) => path.basename(f))).toContain('ledger.db-wal');
    const { leaks, text } = searchFiles(files);
    expect(leaks).toEqual([]);
    for (const v of VISIBLE) expect(text, v).toContain(v);
  });

  it('the samples the admin API serves hold none, binary bodies decoded', async () => {
    const report = await api('/api/report');
    const ids: number[] = report.endpoints.flatMap((e: any) => e.differences.flatMap((d: any) => d.samples));
    expect(ids.length).toBeGreaterThanOrEqual(ROUTES.length);
    for (const id of ids) {
      const sample = await api(`/api/samples/${id}`);
      let text = JSON.stringify(sample);
      for (const part of [sample.request, sample.legacy, sample.other]) {
        if (part?.encoding === 'base64' && typeof part.body === 'string') text += Buffer.from(part.body, 'base64').toString('latin1');
      }
      for (const [what, secret] of Object.entries(S)) expect(text.includes(secret), `${what} in sample ${id} (${sample.request.method} ${sample.request.url})`).toBe(false);
    }
  });

  it('after the proxy stopped and the log was checkpointed into the database', async () => {
    proc!.child.kill('SIGTERM');
    expect(await proc!.exited).toEqual({ code: 0, signal: null });
    const files = ['ledger.db', 'ledger.db-wal', 'ledger.db-shm'].map((f) => path.join(dir, f)).filter(existsSync);
    const { leaks, text } = searchFiles(files);
    expect(leaks).toEqual([]);
    for (const v of VISIBLE) expect(text, v).toContain(v);
  });
});

describe('the shapes a secret hides in, as plain functions', () => {
  const body = (text: string, type: string, paths: string[] = []) => redactBody(Buffer.from(text, 'latin1'), type, paths).body;

  it('XML: nested markup, CDATA, a namespace prefix, single-quoted attributes and an element never closed', () => {
    const out = body(
      `<a><wsse:Password Type="x"><v>p1</v></wsse:Password><secret><![CDATA[p2]]></secret><k clientSecret='p3' id="visible"/><token>p4`,
      'application/soap+xml',
    );
    for (const p of ['p1', 'p2', 'p3', 'p4']) expect(out).not.toContain(p);
    expect(out).toContain('id="visible"');
    expect(out).toContain('<wsse:Password Type="x">[redacted]</wsse:Password>');
  });

  it('XML: the route\'s own names count too', () => {
    expect(body('<r><ssn>078-05-1120</ssn><name>Ada</name></r>', 'text/xml', ['$.ssn'])).toBe('<r><ssn>[redacted]</ssn><name>Ada</name></r>');
  });

  it('multipart: a secret part by name, a JSON part by its members, a binary part kept', () => {
    const b = '--B\r\nContent-Disposition: form-data; name="apiKey"\r\n\r\nk1\r\n--B\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n{"token":"k2","n":1}\r\n--B\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n\x00\xff\r\n--B--\r\n';
    const r = redactBody(Buffer.from(b, 'latin1'), 'multipart/form-data; boundary=B', []);
    const stored = r.encoding === 'base64' ? Buffer.from(r.body, 'base64').toString('latin1') : r.body;
    expect(stored).not.toContain('k1');
    expect(stored).not.toContain('k2');
    expect(stored).toContain('\x00\xff');
    expect(r.redacted).toBe(true);
  });

  it('headers named like a secret, and credentials in a URL', () => {
    expect(redactHeaders(['X-Api-Key', 'a', 'X-Auth-Token', 'b', 'X-Client-Secret', 'c', 'X-Trace', 'd'])).toEqual(['X-Api-Key', '[redacted]', 'X-Auth-Token', '[redacted]', 'X-Client-Secret', '[redacted]', 'X-Trace', 'd']);
    expect(redactUrl('http://ada:pw@app.example/x?token=t&page=2')).toBe('http://[redacted]@app.example/x?token=[redacted]&page=2');
    expect(redactUrl('/path/with@sign')).toBe('/path/with@sign');
  });
});
