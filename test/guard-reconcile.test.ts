import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { checkTransition, direction, type Evidence, type ModeState } from '../src/progress/guard.js';
import { MigrationControl, type EvidenceSource } from '../src/progress/migration-control.js';
import { reconcile, type RevisionRef } from '../src/rules/reconcile.js';
import { tableHash, tableOf } from '../src/rules/rule-table.js';
import { RuleFileSchema, type RuleFile } from '../src/rules/schema.js';
import { openDatabase, type Database } from '../src/store/open-database.js';
import { TrafficStore } from '../src/store/traffic.js';

const GUARD = { minSamples: 200, minMatchRate: 99 };
const st = (mode: ModeState['mode'], percent: number | null = null): ModeState => ({ mode, percent });
const ev = (over: Partial<Evidence> = {}): Evidence => ({
  route: 'orders',
  compared: 0,
  netMatchRate: null,
  requests: 0,
  byTarget: {},
  window: '24h',
  ...over,
});
const GOOD = ev({ compared: 500, netMatchRate: 99.6 });

describe('checkTransition', () => {
  it('tells forward from back from same, with a larger canary share as forward', () => {
    expect(direction(st('legacy'), st('shadow'))).toBe('forward');
    expect(direction(st('shadow'), st('canary', 5))).toBe('forward');
    expect(direction(st('canary', 5), st('canary', 25))).toBe('forward');
    expect(direction(st('canary', 25), st('service'))).toBe('forward');
    expect(direction(st('service'), st('retired'))).toBe('forward');
    expect(direction(st('canary', 25), st('canary', 5))).toBe('back');
    expect(direction(st('service'), st('canary', 50))).toBe('back');
    expect(direction(st('retired'), st('legacy'))).toBe('back');
    expect(direction(st('shadow'), st('legacy'))).toBe('back');
    expect(direction(st('shadow'), st('shadow'))).toBe('same');
    expect(direction(st('canary', 10), st('canary', 10))).toBe('same');
  });

  it('lets a route into shadow without evidence: nobody is served by the service yet', () => {
    const c = checkTransition(st('legacy'), st('shadow'), GUARD, ev(), false);
    expect(c).toMatchObject({ direction: 'forward', guarded: false, allowed: true, forced: false, reasons: [] });
  });

  it('refuses canary and service without shadow evidence, and says what is missing', () => {
    for (const to of [st('canary', 5), st('service')]) {
      const c = checkTransition(st('shadow'), to, GUARD, ev(), false);
      expect(c).toMatchObject({ direction: 'forward', guarded: true, allowed: false, forced: false });
      expect(c.reasons).toEqual(['0 compared samples; the guard needs at least 200', 'no net match rate yet; the guard needs 99%']);
    }
  });

  it('refuses too few samples and a match rate under the threshold, each with its figure', () => {
    expect(checkTransition(st('shadow'), st('service'), GUARD, ev({ compared: 150, netMatchRate: 99.9 }), false).reasons).toEqual([
      '150 compared samples; the guard needs at least 200',
    ]);
    expect(checkTransition(st('shadow'), st('service'), GUARD, ev({ compared: 5_000, netMatchRate: 97.25 }), false).reasons).toEqual([
      "net match rate 97.25% is under the guard's 99%",
    ]);
  });

  it('allows forward moves with enough evidence, exactly at the threshold too', () => {
    expect(checkTransition(st('shadow'), st('canary', 10), GUARD, GOOD, false)).toMatchObject({ guarded: true, allowed: true, reasons: [] });
    expect(checkTransition(st('shadow'), st('service'), GUARD, ev({ compared: 200, netMatchRate: 99 }), false).allowed).toBe(true);
  });

  it('guards a larger canary share like a first one, and not a smaller one', () => {
    expect(checkTransition(st('canary', 10), st('canary', 50), GUARD, ev(), false)).toMatchObject({ direction: 'forward', guarded: true, allowed: false });
    expect(checkTransition(st('canary', 50), st('canary', 10), GUARD, ev(), false)).toMatchObject({ direction: 'back', guarded: false, allowed: true });
  });

  it('always allows a rollback, whatever the evidence, and does not call it forced', () => {
    for (const [from, to] of [
      [st('service'), st('legacy')],
      [st('retired'), st('shadow')],
      [st('canary', 40), st('legacy')],
      [st('service'), st('canary', 5)],
    ] as const) {
      for (const force of [false, true]) {
        const c = checkTransition(from, to, GUARD, ev({ compared: 3, netMatchRate: 12 }), force);
        expect(c).toMatchObject({ direction: 'back', guarded: false, allowed: true, forced: false, reasons: [] });
      }
    }
  });

  it('lets force through a refusal, keeps the reasons, and marks it forced', () => {
    const c = checkTransition(st('shadow'), st('service'), GUARD, ev(), true);
    expect(c).toMatchObject({ allowed: true, forced: true });
    expect(c.reasons).toHaveLength(2);
    // Force on a move the guard allows anyway is not a forced move.
    expect(checkTransition(st('shadow'), st('service'), GUARD, GOOD, true)).toMatchObject({ allowed: true, forced: false });
  });

  it('guards retiring a route that never served as a service, not one that did', () => {
    expect(checkTransition(st('service'), st('retired'), GUARD, ev(), false)).toMatchObject({ guarded: false, allowed: true });
    expect(checkTransition(st('shadow'), st('retired'), GUARD, ev(), false)).toMatchObject({ guarded: true, allowed: false });
    expect(checkTransition(st('legacy'), st('retired'), GUARD, ev(), false)).toMatchObject({ guarded: true, allowed: false });
  });

  it('lets a route whose guard asks for nothing (0 samples, 0%) move without comparisons', () => {
    expect(checkTransition(st('shadow'), st('service'), { minSamples: 0, minMatchRate: 0 }, ev(), false)).toMatchObject({ allowed: true, reasons: [] });
    // Asking for a rate but no minimum sample count still needs a rate.
    expect(checkTransition(st('shadow'), st('service'), { minSamples: 0, minMatchRate: 95 }, ev(), false).reasons).toEqual([
      'no net match rate yet; the guard needs 95%',
    ]);
  });

  it('returns the guard and the evidence it judged', () => {
    const evidence = ev({ requests: 1_234, byTarget: { legacy: 1_234 }, note: 'shadow comparison is not recorded yet' });
    const c = checkTransition(st('shadow'), st('canary', 5), GUARD, evidence, false);
    expect(c.guard).toEqual(GUARD);
    expect(c.evidence).toEqual(evidence);
  });
});

describe('reconcile (rule file against stored revisions, at start)', () => {
  const ref = (n: number, source: string, hash: string, extra: Partial<RevisionRef> = {}): RevisionRef => ({ n, source, hash, ...extra });

  it('uses the file at the first start', () => {
    expect(reconcile('aaa', undefined, undefined)).toEqual({ action: 'file', reason: expect.stringContaining('first start') });
  });

  it('uses the file when no revision came from a file yet', () => {
    const r = reconcile('aaa', ref(3, 'api', 'zzz'), undefined);
    expect(r.action).toBe('file');
    expect(r.reason).toContain('no revision came from the rule file');
  });

  it('uses the file when it changed since the last revision it produced, even if the API changed things since', () => {
    expect(reconcile('bbb', ref(1, 'file', 'aaa'), ref(1, 'file', 'aaa'))).toEqual({
      action: 'file',
      reason: expect.stringContaining('changed since revision 1'),
    });
    expect(reconcile('bbb', ref(5, 'api', 'ccc'), ref(2, 'file', 'aaa')).action).toBe('file');
    // Back to what an API revision holds is still a change of the file.
    expect(reconcile('ccc', ref(5, 'api', 'ccc'), ref(2, 'file', 'aaa')).action).toBe('file');
  });

  it('keeps the file revision when the file is unchanged', () => {
    expect(reconcile('aaa', ref(4, 'file', 'aaa'), ref(4, 'file', 'aaa'))).toEqual({ action: 'keep', n: 4, reason: expect.stringContaining('unchanged') });
  });

  it('keeps a newer API, CLI or restore revision while the file is unchanged, and says who made it and how to export it', () => {
    for (const source of ['api', 'cli', 'restore']) {
      const r = reconcile('aaa', ref(7, source, 'xyz', { author: 'ana', message: 'orders: shadow → canary 5%' }), ref(4, 'file', 'aaa'));
      expect(r).toMatchObject({ action: 'keep', n: 7 });
      expect(r.reason).toContain(`revision 7 (${source} by ana: orders: shadow → canary 5%)`);
      expect(r.reason).toContain('unchanged since revision 4');
      expect(r.reason).toContain('strangler export');
    }
  });
});

// ---------------------------------------------------------------------------

const baseFile = {
  legacy: 'http://127.0.0.1:9',
  services: { 'orders-svc': 'http://127.0.0.1:10', 'users-svc': 'http://127.0.0.1:11' },
  guard: { minSamples: 200, minMatchRate: 99 },
  routes: [
    { name: 'orders', match: { path: '/api/orders/**' }, mode: 'legacy', service: 'orders-svc' },
    { name: 'users', match: { path: '/api/users/**' }, mode: 'shadow', service: 'users-svc', canary: { percent: 5, stickyBy: 'cookie:sid' } },
    { name: 'static', match: { path: '/static/**' }, mode: 'legacy' },
  ],
};
const ruleFile = (patch: (f: typeof baseFile) => unknown = (f) => f): RuleFile => RuleFileSchema.parse(patch(structuredClone(baseFile)));

let dir: string;
let dbFile: string;
let db: Database;
let logLines: string[];
const logger = () =>
  createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  });

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'strangler-control-'));
  dbFile = path.join(dir, 'ledger.db');
  db = openDatabase(dbFile);
  logLines = [];
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A control on the ledger, as `strangler start` builds one; `swapped` holds what the data plane got. */
function control(evidence?: EvidenceSource) {
  const swapped: RuleFile[] = [];
  const traffic = new TrafficStore(db);
  const c = new MigrationControl(db, ruleFile(), (r) => swapped.push(r), logger(), traffic, evidence);
  return { c, swapped, traffic };
}
/** A process restart: close the file, open it again. */
function restart() {
  db.close();
  db = openDatabase(dbFile);
}
const routeMode = (r: RuleFile, name: string) => r.routes.find((x) => x.name === name)?.mode;
const revisionCount = () => (db.prepare(`SELECT COUNT(*) AS n FROM revisions`).get() as { n: number }).n;
const modeRows = () =>
  db.prepare(`SELECT route, from_mode, to_mode, from_percent, to_percent, author, reason, forced, revision, evidence_json FROM mode_changes ORDER BY id`).all() as Array<{
    route: string;
    from_mode: string;
    to_mode: string;
    from_percent: number | null;
    to_percent: number | null;
    author: string;
    reason: string;
    forced: number;
    revision: number;
    evidence_json: string;
  }>;

describe('MigrationControl on a real ledger', () => {
  it('makes the file revision 1 at the first start and keeps it over restarts with the same file', () => {
    const first = control();
    const a = first.c.start(ruleFile());
    expect(a.revision).toMatchObject({ n: 1, source: 'file', author: 'file', hash: tableHash(tableOf(ruleFile())) });
    expect(a.reason).toContain('first start');
    expect(first.swapped).toHaveLength(1);

    for (let i = 0; i < 2; i++) {
      restart();
      const again = control();
      const b = again.c.start(ruleFile());
      expect(b.revision.n).toBe(1);
      expect(b.reason).toContain('unchanged');
      expect(again.swapped).toHaveLength(1);
      expect(again.c.inForce().rules.routes.map((r) => r.name)).toEqual(['orders', 'users', 'static']);
    }
    expect(revisionCount()).toBe(1);
    expect(modeRows()).toEqual([]);
  });

  it('keeps an API change over a restart with the same file, and lets a changed file win', () => {
    const first = control();
    first.c.start(ruleFile());
    const promoted = first.c.setMode('orders', { mode: 'shadow', reason: 'start comparing', author: 'ana' });
    expect(promoted.ok).toBe(true);
    expect(revisionCount()).toBe(2);

    restart();
    const second = control();
    const kept = second.c.start(ruleFile());
    expect(kept.revision).toMatchObject({ n: 2, source: 'api', author: 'ana' });
    expect(kept.reason).toContain('revision 2 (api by ana');
    expect(routeMode(second.swapped[0]!, 'orders')).toBe('shadow');
    expect(revisionCount()).toBe(2);

    // The file changes (a new route); it wins, and so orders is back to what the file says.
    restart();
    const third = control();
    const changedFile = ruleFile((f) => ({ ...f, routes: [...f.routes, { name: 'health', match: { path: '/health' }, mode: 'legacy' }] }));
    const won = third.c.start(changedFile);
    expect(won.revision).toMatchObject({ n: 3, source: 'file' });
    expect(won.reason).toContain('changed since revision 1');
    expect(routeMode(third.swapped[0]!, 'orders')).toBe('legacy');
    expect(third.c.inForce().rules.routes.map((r) => r.name)).toEqual(['orders', 'users', 'static', 'health']);

    // That move back, made by the file while the proxy was down, is in the log like any other.
    const rows = modeRows();
    expect(rows.map((r) => [r.route, r.from_mode, r.to_mode, r.author, r.revision])).toEqual([
      ['orders', 'legacy', 'shadow', 'ana', 2],
      ['orders', 'shadow', 'legacy', 'file', 3],
    ]);
  });

  it('a rule file reload makes a revision only when its table changed', () => {
    const { c } = control();
    c.start(ruleFile());
    expect(c.fileChanged(ruleFile())).toBeNull();
    // Process settings are not part of the table.
    expect(c.fileChanged(ruleFile((f) => ({ ...f, retention: { days: 3, maxMb: 10 } })))).toBeNull();
    const rev = c.fileChanged(ruleFile((f) => ({ ...f, routes: f.routes.map((r) => (r.name === 'orders' ? { ...r, mode: 'shadow' } : r)) })));
    expect(rev).toMatchObject({ n: 2, source: 'file' });
    expect(modeRows().map((r) => [r.route, r.from_mode, r.to_mode, r.author])).toEqual([['orders', 'legacy', 'shadow', 'file']]);
  });

  it('records the file moving a route past its guard, with the refusal and a warning', () => {
    const { c } = control();
    c.start(ruleFile());
    c.fileChanged(ruleFile((f) => ({ ...f, routes: f.routes.map((r) => (r.name === 'users' ? { ...r, mode: 'service' } : r)) })));
    const row = modeRows().at(-1)!;
    expect(row).toMatchObject({ route: 'users', from_mode: 'shadow', to_mode: 'service' });
    const evidence = JSON.parse(row.evidence_json) as { source: string; allowed: boolean; reasons: string[] };
    expect(evidence).toMatchObject({ source: 'file', allowed: false });
    expect(evidence.reasons.join(' ')).toContain('0 compared samples');
    expect(logLines.join('')).toContain('the rule file moved a route forward past its guard');
  });

  describe('setMode', () => {
    it('404s an unknown route', () => {
      const { c } = control();
      c.start(ruleFile());
      expect(c.setMode('nope', { mode: 'shadow', reason: 'x', author: 'ana' })).toEqual({ ok: false, status: 404, error: 'no route named "nope"' });
    });

    it('400s a bad mode, a bad percent, a missing reason, and names each field', () => {
      const { c } = control();
      c.start(ruleFile());
      const bad = c.setMode('orders', { mode: 'sideways' as never, percent: 140, reason: '  ', author: 'ana' });
      expect(bad).toMatchObject({ ok: false, status: 400 });
      expect(!bad.ok && bad.issues?.map((i) => i.path)).toEqual(['mode', 'percent', 'reason']);
      expect(c.setMode('orders', { mode: 'canary', percent: Number.NaN, reason: 'x', author: 'ana', force: true })).toMatchObject({ ok: false, status: 400 });
      expect(revisionCount()).toBe(1);
    });

    it('400s canary without a percent, and a change that would make the table invalid', () => {
      const { c } = control();
      c.start(ruleFile());
      const noPercent = c.setMode('orders', { mode: 'canary', reason: 'try it', author: 'ana', force: true });
      expect(noPercent).toMatchObject({ ok: false, status: 400, issues: [{ path: 'percent', message: 'canary needs a percent' }] });
      // static has no service: shadow needs one.
      const invalid = c.setMode('static', { mode: 'shadow', reason: 'compare', author: 'ana' });
      expect(invalid).toMatchObject({ ok: false, status: 400, error: 'the change would make the rule table invalid' });
      expect(!invalid.ok && invalid.issues?.[0]).toMatchObject({ path: 'routes[2].service', message: expect.stringContaining('needs a service') });
      expect(revisionCount()).toBe(1);
      expect(modeRows()).toEqual([]);
    });

    it('409s a forward move without evidence, with the reasons and the evidence, and stores nothing', () => {
      const { c, traffic } = control();
      c.start(ruleFile());
      const now = Date.now();
      traffic.write(
        Array.from({ length: 30 }, (_, i) => ({
          method: 'GET',
          path: '/api/users/{id}',
          route: 'users',
          target: 'legacy',
          status: 200,
          fellBack: false,
          startedAt: now - i * 1000,
          durationMs: 4,
          bytesIn: 10,
          bytesOut: 10,
        })),
      );
      const r = c.setMode('users', { mode: 'canary', percent: 10, reason: 'looks fine', author: 'ana' });
      expect(r).toMatchObject({ ok: false, status: 409, error: 'the guard refuses users: shadow → canary 10%' });
      if (r.ok) throw new Error('unreachable');
      expect(r.check!.reasons).toEqual(['0 compared samples; the guard needs at least 200', 'no net match rate yet; the guard needs 99%']);
      expect(r.check!.evidence).toMatchObject({ route: 'users', requests: 30, byTarget: { legacy: 30 }, note: expect.stringContaining('--force') });
      expect(revisionCount()).toBe(1);
      expect(modeRows()).toEqual([]);
    });

    it('applies an allowed move: a new revision in force and a mode-change row with who, why and the evidence', () => {
      const { c, swapped } = control((route) => (route === 'users' ? { compared: 640, netMatchRate: 99.7 } : { compared: 0, netMatchRate: null }));
      c.start(ruleFile());
      const r = c.setMode('users', { mode: 'canary', percent: 10, reason: 'shadow clean for a week', author: 'ana' });
      expect(r.ok).toBe(true);
      if (!r.ok) throw new Error('unreachable');
      expect(r.revision).toMatchObject({ n: 2, source: 'api', author: 'ana', message: 'users: shadow → canary 10%: shadow clean for a week' });
      expect(r.check).toMatchObject({ direction: 'forward', guarded: true, allowed: true, forced: false });
      const users = c.inForce().rules.routes.find((x) => x.name === 'users')!;
      expect(users).toMatchObject({ mode: 'canary', canary: { percent: 10, stickyBy: 'cookie:sid' } });
      expect(routeMode(swapped.at(-1)!, 'users')).toBe('canary');

      const [row] = modeRows();
      expect(row).toMatchObject({
        route: 'users',
        from_mode: 'shadow',
        to_mode: 'canary',
        from_percent: null,
        to_percent: 10,
        author: 'ana',
        reason: 'shadow clean for a week',
        forced: 0,
        revision: 2,
      });
      expect(JSON.parse(row!.evidence_json)).toMatchObject({ source: 'api', allowed: true, evidence: { route: 'users', compared: 640, netMatchRate: 99.7 } });
      expect(c.modeChanges.list('users')[0]).toMatchObject({ fromMode: 'shadow', toMode: 'canary', forced: false, revision: 2 });
    });

    it('records a forced move as forced, with the reasons it overrode', () => {
      const { c } = control();
      c.start(ruleFile());
      const r = c.setMode('users', { mode: 'service', reason: 'incident: legacy is down', author: 'cli', source: 'cli', force: true });
      expect(r).toMatchObject({ ok: true, check: { forced: true, allowed: true } });
      if (!r.ok) throw new Error('unreachable');
      expect(r.revision).toMatchObject({ source: 'cli', message: expect.stringContaining('(forced)') });
      const [row] = modeRows();
      expect(row).toMatchObject({ route: 'users', from_mode: 'shadow', to_mode: 'service', forced: 1, reason: 'incident: legacy is down' });
      expect((JSON.parse(row!.evidence_json) as { reasons: string[] }).reasons).toHaveLength(2);
    });

    it('lets a rollback through with no evidence at all, unforced', () => {
      const { c } = control();
      c.start(ruleFile());
      expect(c.setMode('users', { mode: 'service', reason: 'go', author: 'ana', force: true }).ok).toBe(true);
      const back = c.setMode('users', { mode: 'legacy', reason: 'errors in checkout', author: 'bob' });
      expect(back).toMatchObject({ ok: true, check: { direction: 'back', allowed: true, forced: false } });
      expect(modeRows().map((r) => [r.from_mode, r.to_mode, r.forced, r.author])).toEqual([
        ['shadow', 'service', 1, 'ana'],
        ['service', 'legacy', 0, 'bob'],
      ]);
    });

    it('guards a larger canary share and lets a smaller one through', () => {
      const { c } = control();
      c.start(ruleFile());
      c.setMode('users', { mode: 'canary', percent: 10, reason: 'start', author: 'ana', force: true });
      expect(c.setMode('users', { mode: 'canary', percent: 50, reason: 'more', author: 'ana' })).toMatchObject({ ok: false, status: 409 });
      expect(c.setMode('users', { mode: 'canary', percent: 2, reason: 'less', author: 'ana' })).toMatchObject({ ok: true });
      expect(modeRows().map((r) => [r.from_percent, r.to_percent])).toEqual([
        [null, 10],
        [10, 2],
      ]);
    });
  });

  it('applyTable refuses process settings (400) and unguarded forward moves (409), and takes force', () => {
    const { c } = control();
    c.start(ruleFile());
    const table = tableOf(c.inForce().rules);
    const settings = c.applyTable({ ...table, listen: '0.0.0.0:80' }, { source: 'api', author: 'ana', message: 'x' });
    expect(settings).toMatchObject({ ok: false, status: 400, issues: [{ path: 'listen' }] });
    const forward = { ...table, routes: table.routes.map((r) => (r.name === 'users' ? { ...r, mode: 'service' as const } : r)) };
    const refused = c.applyTable(forward, { source: 'api', author: 'ana', message: 'all in' });
    expect(refused).toMatchObject({ ok: false, status: 409, issues: [{ path: 'routes.users.mode' }] });
    expect(revisionCount()).toBe(1);
    const forced = c.applyTable(forward, { source: 'api', author: 'ana', message: 'all in' }, true);
    expect(forced).toMatchObject({ ok: true, revision: { n: 2, source: 'api' } });
    expect(modeRows()).toMatchObject([{ route: 'users', to_mode: 'service', forced: 1, reason: 'all in' }]);
  });

  it('restores an old revision as a new one, logging the routes it moves back', () => {
    const { c } = control();
    c.start(ruleFile());
    c.setMode('users', { mode: 'service', reason: 'go', author: 'ana', force: true });
    c.setMode('orders', { mode: 'shadow', reason: 'compare', author: 'ana' });
    expect(revisionCount()).toBe(3);

    const r = c.restore(1, 'bob', 'back to the file');
    expect(r).toMatchObject({ ok: true, revision: { n: 4, source: 'restore', author: 'bob', message: 'restore revision 1: back to the file' } });
    expect(c.inForce().revision.n).toBe(4);
    expect(tableHash(tableOf(c.inForce().rules))).toBe(c.revisions.get(1)!.hash);
    expect(modeRows().filter((m) => m.revision === 4).map((m) => [m.route, m.from_mode, m.to_mode, m.author, m.forced])).toEqual([
      ['orders', 'shadow', 'legacy', 'bob', 0],
      ['users', 'service', 'shadow', 'bob', 0],
    ]);
    expect(c.restore(99, 'bob')).toMatchObject({ ok: false, status: 404 });

    // And the restored table stays in force over a restart with the unchanged file.
    restart();
    const after = control();
    expect(after.c.start(ruleFile()).revision.n).toBe(4);
  });
});
