import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startFaultProxy, until, type FaultProxy } from './helpers/fault-proxy.js';
import { startFaultyUpstream, type FaultyUpstream } from './helpers/faulty-upstream.js';

/**
 * Fault suite, the rule file: replaced by garbage, by a half-written file,
 * or deleted under a running `strangler start`. For each, the four
 * answers: clients keep getting the last good rules, the rejection is
 * counted (and no revision is made), the log names the file and what is
 * wrong with it, and a good file written afterwards is applied.
 *
 * Every message for bad YAML and bad fields, and requests in flight
 * across a swap, are reload.test.ts's (in process).
 */

let legacy: FaultyUpstream;
let orders: FaultyUpstream;
let proxy: FaultProxy;

const rules = (mode: 'service' | 'legacy') => `legacy: ${legacy.url}
services:
  orders: ${orders.url}
routes:
  - name: orders
    match: { path: /api/orders/** }
    mode: ${mode}
    service: orders
`;
const header = () => `database: ./ledger.db\nadmin:\n  listen: "127.0.0.1:0"\n  token: "fault-suite-token-0123456789abcdef"\n`;

/** The mode the proxy routes /api/orders by now, judged by who answers. */
async function servedBy(): Promise<string> {
  const a = await proxy.get('/api/orders/7');
  expect(a.status).toBe(200);
  return (a.json as { from: string }).from;
}

async function revision(): Promise<number> {
  const a = await proxy.admin('/healthz');
  return (a.json as { revision: number }).revision;
}

beforeAll(async () => {
  legacy = await startFaultyUpstream('legacy');
  orders = await startFaultyUpstream('orders');
  proxy = await startFaultProxy(rules('service'));
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await orders?.close();
  await legacy?.close();
});

interface FileFault {
  fault: string;
  /** Does it to the file. */
  provoke: () => Promise<void>;
  /** What the log line says is wrong, at which place. */
  says: RegExp;
}

const FILE_FAULTS: FileFault[] = [
  {
    fault: 'replaced by garbage (random bytes)',
    provoke: () => writeFile(proxy.ruleFile, Buffer.concat([Buffer.from('\x00\x01'), randomBytes(4096)])),
    says: /strangler\.yaml:\d+:\d+/,
  },
  {
    fault: 'replaced by text that is not a rule file',
    provoke: () => writeFile(proxy.ruleFile, 'HTTP/1.1 200 OK\r\n<html>oops, a web page</html>\n'),
    says: /strangler\.yaml:1:1/,
  },
  {
    fault: 'half-written, cut in the middle of a line',
    provoke: async () => {
      const whole = header() + rules('legacy');
      await writeFile(proxy.ruleFile, whole.slice(0, whole.indexOf('mode: legacy') + 4));
    },
    says: /strangler\.yaml:\d+:\d+: not valid YAML/,
  },
  {
    fault: 'half-written, cut between lines (a route without its match)',
    provoke: async () => {
      const whole = header() + rules('legacy');
      await writeFile(proxy.ruleFile, whole.slice(0, whole.indexOf('    match:')));
    },
    says: /strangler\.yaml:\d+:\d+ routes\[0\]\.match: .*required/,
  },
  {
    fault: 'deleted',
    provoke: () => unlink(proxy.ruleFile),
    says: /strangler\.yaml:1:1: the file does not exist/,
  },
];

/** Which mode to write next, so that each good file is a real change. */
let next: 'service' | 'legacy' = 'legacy';

describe.each(FILE_FAULTS)('rule file $fault', (f) => {
  let before = '';
  let revisionBefore = 0;
  const served = () => (next === 'legacy' ? 'orders' : 'legacy');
  beforeAll(async () => {
    before = await proxy.metrics();
    revisionBefore = await revision();
    await f.provoke();
    await proxy.metricAtLeast('strangler_rule_reloads_total', { result: 'rejected' }, metricValue(before, 'strangler_rule_reloads_total', { result: 'rejected' }) + 1);
  });

  it('client: the last good rules keep serving', async () => {
    expect(await servedBy()).toBe(served());
    expect(await servedBy()).toBe(served());
  });

  it('counted: strangler_rule_reloads_total{result="rejected"}, nothing applied, no new revision', async () => {
    const text = await proxy.metrics();
    expect(metricValue(text, 'strangler_rule_reloads_total', { result: 'rejected' })).toBeGreaterThan(metricValue(before, 'strangler_rule_reloads_total', { result: 'rejected' }));
    expect(metricValue(text, 'strangler_rule_reloads_total', { result: 'applied' })).toBe(metricValue(before, 'strangler_rule_reloads_total', { result: 'applied' }));
    expect(await revision()).toBe(revisionBefore);
  });

  it('logged: an error naming the file, where and what is wrong', async () => {
    const line = await proxy.logged((l) => l.file === proxy.ruleFile && f.says.test(String(l.msg)), `the rejection of the ${f.fault} file`);
    expect(line.level).toBe(50);
    expect(String(line.msg)).toContain('the last good rules keep serving');
  });

  it('afterwards: a good file written over it is applied as a new revision', async () => {
    const applied = await proxy.metric('strangler_rule_reloads_total', { result: 'applied' });
    await writeFile(proxy.ruleFile, header() + rules(next));
    const target = next === 'service' ? 'orders' : 'legacy';
    await until(async () => (await servedBy()) === target, `/api/orders to go to ${target}`);
    expect(await proxy.metric('strangler_rule_reloads_total', { result: 'applied' })).toBeGreaterThan(applied);
    expect(await revision()).toBe(revisionBefore + 1);
    next = next === 'legacy' ? 'service' : 'legacy';
  });
});

describe('rule file broken, then SIGHUP', () => {
  it('a forced reload of a bad file is rejected and counted the same way; the proxy keeps serving', async () => {
    const rejected = await proxy.metric('strangler_rule_reloads_total', { result: 'rejected' });
    const who = await servedBy();
    await writeFile(proxy.ruleFile, header() + rules('service').replace('mode: service', 'mode: servcie'));
    await proxy.metricAtLeast('strangler_rule_reloads_total', { result: 'rejected' }, rejected + 1);
    const afterWatch = await proxy.metric('strangler_rule_reloads_total', { result: 'rejected' });
    proxy.proc.child.kill('SIGHUP');
    await proxy.metricAtLeast('strangler_rule_reloads_total', { result: 'rejected' }, afterWatch + 1);
    expect(await servedBy()).toBe(who);
    expect(proxy.proc.child.exitCode).toBeNull();
  });
});
