import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFromFile, type StartedStrangler } from '../src/cli/start.js';
import { createLogger } from '../src/log.js';
import { Capture, send, startNamedServer, until, type NamedServer } from './helpers/modes-servers.js';

/**
 * Hot reload of the rule file: a real file in a temp folder, watched by
 * `startFromFile`, a real legacy and service behind it.
 */

let legacy: NamedServer;
let svc: NamedServer;
/** Legacy holds requests carrying `x-hold` until released. */
const held: Array<() => void> = [];

beforeAll(async () => {
  legacy = await startNamedServer('legacy', (req, res) => {
    if (req.headers['x-hold'] === undefined) return false;
    held.push(() => {
      const json = JSON.stringify({ by: 'legacy', url: req.url, held: true });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(json);
    });
    return true;
  });
  svc = await startNamedServer('svc');
});

afterAll(async () => {
  await Promise.all([legacy.close(), svc.close()]);
});

let dir: string;
let file: string;
let log: Capture;
let running: StartedStrangler | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'strangler-reload-'));
  file = path.join(dir, 'strangler.yaml');
  log = new Capture();
});

afterEach(async () => {
  for (const release of held.splice(0)) release();
  await running?.stop();
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

const ruleText = (mode: string) => `# the migration of orders
legacy: ${legacy.url}
services:
  orders: ${svc.url}
routes:
  - name: orders
    match:
      path: /api/orders/**
    mode: ${mode}
    service: orders
`;

async function start(text: string): Promise<string> {
  await writeFile(file, text);
  running = await startFromFile(file, { listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', logger: createLogger({ destination: log, level: 'debug' }), signals: false });
  return running.proxy.url;
}

async function servedBy(url: string, p = '/api/orders/7'): Promise<string> {
  return (await send('GET', url + p)).by;
}

/** Waits for a log record whose message contains `text`, and returns that message. */
async function logged(text: string): Promise<string> {
  let found = '';
  await until(() => (found = log.messages().find((m) => m.includes(text)) ?? '') !== '', `a log message containing ${JSON.stringify(text)}`, 3_000);
  return found;
}

describe('hot reload of the rule file', () => {
  it('applies a change of mode within a couple of seconds', async () => {
    const url = await start(ruleText('legacy'));
    expect(await servedBy(url)).toBe('legacy');
    await writeFile(file, ruleText('service'));
    await until(async () => (await servedBy(url)) === 'svc', 'requests to reach the service', 2_500);
    expect(await servedBy(url, '/api/other')).toBe('legacy');
    await writeFile(file, ruleText('legacy'));
    await until(async () => (await servedBy(url)) === 'legacy', 'requests to go back to legacy', 2_500);
    expect(log.messages()).toContain('rules reloaded');
  });

  it('follows an editor that saves by writing a new file and renaming it over the old one', async () => {
    const url = await start(ruleText('legacy'));
    const tmp = path.join(dir, '.strangler.yaml.swp');
    await writeFile(tmp, ruleText('service'));
    await rename(tmp, file);
    await until(async () => (await servedBy(url)) === 'svc', 'requests to reach the service', 2_500);
    // The watch survives the rename.
    await writeFile(file, ruleText('legacy'));
    await until(async () => (await servedBy(url)) === 'legacy', 'requests to go back to legacy', 2_500);
  });

  it('logs an invalid change with its location and keeps serving the last good rules, then applies the fix', async () => {
    const url = await start(ruleText('service'));
    expect(await servedBy(url)).toBe('svc');

    // Bad YAML: an unclosed flow mapping.
    await writeFile(file, ruleText('legacy').replace('path: /api/orders/**', 'path: { /api/orders/**'));
    const yamlError = await logged('not valid YAML');
    // The flow mapping opens on line 8; the parser notices it is unclosed at the start of line 9.
    expect(yamlError).toMatch(new RegExp(`${escape(file)}:(8:\\d+|9:5): not valid YAML: .*\\}`));
    expect(yamlError).toContain('last good rules keep serving');
    expect(await servedBy(url)).toBe('svc');

    // An unknown field, reported at its own line and column.
    await writeFile(file, ruleText('legacy').replace('    mode: legacy', '    mdoe: legacy'));
    const unknown = await logged('unknown field "mdoe"');
    expect(unknown).toContain(`${file}:9:5 routes[0].mdoe: unknown field "mdoe"`);
    expect(await servedBy(url)).toBe('svc');
    const record = log.records().find((r) => String(r.msg).includes('mdoe'))!;
    expect(record.level).toBe(50);
    expect(record.errors).toEqual([expect.objectContaining({ file, line: 9, column: 5, field: 'routes[0].mdoe' })]);

    // An unknown mode, reported at the value.
    await writeFile(file, ruleText('canry'));
    expect(await logged('mode is one of')).toContain(`${file}:9:11 routes[0].mode: mode is one of legacy, shadow, canary, service, retired`);
    expect(await servedBy(url)).toBe('svc');

    // A half-written file: cut off in the middle of the route.
    const full = ruleText('legacy');
    await writeFile(file, full.slice(0, full.indexOf('path:') + 2));
    const half = await logged('routes[0].match');
    expect(half).toContain(`${file}:8:7 routes[0].match: `);
    expect(half).toContain('expected object');
    expect(await servedBy(url)).toBe('svc');

    // Truncated to nothing, as some tools do before writing.
    await writeFile(file, '');
    expect(await logged('the rule file is empty')).toContain(`${file}:1:1: the rule file is empty`);
    expect(await servedBy(url)).toBe('svc');

    // Fixed: applied.
    await writeFile(file, ruleText('legacy'));
    await until(async () => (await servedBy(url)) === 'legacy', 'the fixed file to be applied', 2_500);
  });

  it('keeps serving the last good rules when the file is deleted', async () => {
    const url = await start(ruleText('service'));
    await unlink(file);
    expect(await logged('the file does not exist')).toContain(`${file}:1:1: the file does not exist`);
    expect(await servedBy(url)).toBe('svc');
    // And a file written again afterwards is picked up.
    await writeFile(file, ruleText('legacy'));
    await until(async () => (await servedBy(url)) === 'legacy', 'the new file to be applied', 2_500);
  });

  it('lets a request in flight finish on the target it started with', async () => {
    const url = await start(ruleText('legacy'));
    const slow = send('GET', `${url}/api/orders/slow`, { headers: { 'x-hold': '1' } });
    await until(() => legacy.received.some((r) => r.url === '/api/orders/slow'), 'legacy to receive the slow request');

    await writeFile(file, ruleText('service'));
    await until(async () => (await servedBy(url)) === 'svc', 'the reload to apply', 2_500);

    // Legacy answers only now, after the swap; the request still completes there.
    expect(held).toHaveLength(1);
    releaseHeld();
    const r = await slow;
    expect(r.status).toBe(200);
    expect(r.by).toBe('legacy');
    expect(JSON.parse(r.body)).toEqual({ by: 'legacy', url: '/api/orders/slow', held: true });
    expect(svc.received.some((x) => x.url === '/api/orders/slow')).toBe(false);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Answers every request legacy is holding. */
function releaseHeld(): void {
  for (const release of held.splice(0)) release();
}
