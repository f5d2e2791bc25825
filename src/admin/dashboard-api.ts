import type { Express, Request, Response } from 'express';
import { guardFor, readinessOf } from '../progress/readiness.js';
import { evidenceOf, modeState } from '../progress/migration-control.js';
import type { routeEvidenceSince } from '../report/report-data.js';
import { ComparisonStore } from '../store/comparisons.js';
import { pausedShadowTargets } from './metrics.js';
import { IgnorePathBody, parseBody } from './request-bodies.js';
import { revisionDiff } from './revision-diff.js';
import { sampleCurl } from './sample-curl.js';
import type { AdminContext } from './server.js';
import { readFor, type LedgerReader } from './ledger-reader.js';
import { parseStep, seriesStart } from './timeseries.js';
import { parseWindow } from './views.js';

/**
 * The admin API routes the dashboard added: time series for the charts, a
 * revision diff, copy-as-curl, "ignore this path", a route's guard
 * evidence, and a change stamp to poll. Mounted behind the token like the
 * rest of /api.
 */

interface FieldError {
  path: string;
  message: string;
}

function invalid(res: Response, error: string, errors: FieldError[]): void {
  res.status(400).json({ error, errors });
}

/** A path segment that must be a revision or sample number. */
function idParam(req: Request, name: string): { ok: true; n: number } | { ok: false; error: FieldError } {
  const raw = String(req.params[name]);
  return /^[1-9]\d{0,15}$/.test(raw) ? { ok: true, n: Number(raw) } : { ok: false, error: { path: name, message: `${name} is a positive whole number, not "${raw}"` } };
}

export function addDashboardApi(app: Express, ctx: AdminContext, reads: LedgerReader, author: (req: Request) => string, source: (req: Request) => 'cli' | 'api'): void {
  app.get('/api/shadow/paused', async (_req, res) => {
    // Runtime state, not configuration: which targets' copies the circuit breaker holds back right now.
    res.json({ paused: await pausedShadowTargets(ctx.metrics.registry) });
  });

  app.get('/api/stamp', (_req, res) => {
    // Cheap to poll: the dashboard reloads its data only when one of these moves.
    const stats = ctx.ledgerStats();
    res.json({ revision: ctx.control.inForce().revision.n, written: stats?.written ?? 0, modeChanges: ctx.control.modeChanges.list(undefined, 1)[0]?.id ?? 0 });
  });

  app.get('/api/timeseries', async (req, res) => {
    const window = parseWindow(req.query.since ?? '24h');
    const errors: FieldError[] = [];
    if (!window.ok) errors.push({ path: 'since', message: window.message });
    const now = Date.now();
    const fromMs = window.ok ? seriesStart(ctx.db, window.sinceMs, now) : now;
    if (window.ok && fromMs > now) errors.push({ path: 'since', message: 'since is in the future' });
    const step = parseStep(req.query.step, Math.max(1, Math.ceil((now - fromMs) / 60_000)));
    if (!step.ok) errors.push({ path: 'step', message: step.message });
    if (errors.length || !window.ok || !step.ok) return invalid(res, 'invalid query', errors);
    res.json(await readFor(reads, res, { kind: 'timeseries', window: { fromMs, label: window.label }, stepMinutes: step.minutes, untilMs: now }));
  });

  app.get('/api/revisions/:a/diff/:b', (req, res) => {
    const a = idParam(req, 'a');
    const b = idParam(req, 'b');
    const errors = [a, b].flatMap((x) => (x.ok ? [] : [x.error]));
    const context = req.query.context === undefined ? 3 : Number(req.query.context);
    if (!Number.isInteger(context) || context < 0 || context > 10_000) errors.push({ path: 'context', message: 'context is the number of unchanged lines around a change, 0 to 10000' });
    if (errors.length || !a.ok || !b.ok) return invalid(res, 'invalid revision diff', errors);
    const from = ctx.control.revisions.get(a.n);
    const to = ctx.control.revisions.get(b.n);
    if (!from || !to) {
      res.status(404).json({ error: `no revision ${from ? b.n : a.n}` });
      return;
    }
    res.json(revisionDiff(from, to, context));
  });

  app.get('/api/samples/:id/curl', (req, res) => {
    const id = idParam(req, 'id');
    if (!id.ok) return invalid(res, 'invalid sample id', [id.error]);
    const sample = new ComparisonStore(ctx.db).sample(id.n);
    if (!sample) {
      res.status(404).json({ error: `no sample ${id.n}` });
      return;
    }
    res.json(sampleCurl(sample, ctx.control.inForce().rules));
  });

  app.post('/api/routes/:name/ignore', (req, res) => {
    const body = parseBody(IgnorePathBody, req.body);
    if (!body.ok) return invalid(res, 'invalid ignore path', body.issues);
    const name = req.params.name!;
    const result = ctx.control.ignorePath(name, body.value.path, {
      source: source(req),
      author: author(req),
      message: `${name}: ignore ${body.value.path} in shadow comparisons: ${body.value.reason}`,
    });
    if (!result.ok) {
      res.status(result.status).json({ error: result.error, errors: result.issues });
      return;
    }
    res.json({ revision: result.revision.n, route: name, path: body.value.path, ignore: result.ignore, unchanged: result.unchanged });
  });

  app.get('/api/routes/:name/evidence', async (req, res) => {
    const { rules } = ctx.control.inForce();
    const route = rules.routes.find((r) => r.name === req.params.name);
    if (!route) {
      res.status(404).json({ error: `no route named "${req.params.name}"` });
      return;
    }
    const guard = guardFor(rules, route.name);
    const evidence = evidenceOf(route.name, await readFor<ReturnType<typeof routeEvidenceSince>>(reads, res, { kind: 'evidence', route: route.name }));
    // The same rule the guard applies to a forward move, so the page can say before a click what the guard will say.
    res.json({ route: route.name, ...modeState(route), guard, evidence, readiness: readinessOf(evidence, guard) });
  });
}
