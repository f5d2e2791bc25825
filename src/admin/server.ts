import http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Database } from 'better-sqlite3';
import { listenOn } from '../router/listen-address.js';
import type { RoutingState } from '../router/state.js';
import type { MigrationControl } from '../progress/migration-control.js';
import type { WriterStats } from '../store/batched-writer.js';
import type { TrafficStore } from '../store/traffic.js';
import type { Logger } from '../log.js';
import type { ProxyMetrics } from './metrics.js';
import { bearer, type AdminToken } from './token.js';
import { ComparisonStore } from '../store/comparisons.js';
import { parseWindow } from './views.js';
import { ledgerReader, readFor, ReadUnavailable, type LedgerReader } from './ledger-reader.js';
import { ModeChangeBody, RestoreBody, parseBody } from './request-bodies.js';
import { addDashboard } from './dashboard.js';
import { addDashboardApi } from './dashboard-api.js';

/**
 * The control plane: a JSON API on its own port, every /api route behind
 * the bearer token. A bad request is a 400 with the field errors and
 * changes nothing.
 */
export interface AdminContext {
  control: MigrationControl;
  traffic: TrafficStore;
  db: Database;
  token: AdminToken;
  metrics: ProxyMetrics;
  ledgerStats: () => WriterStats | undefined;
  proxyState: () => RoutingState;
  logger: Logger;
}

export interface RunningAdmin {
  url: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

const BODY_LIMIT = '1mb';

/** Where a change came from: the strangler CLI says so in `X-Strangler-Client`. */
function source(req: Request): 'cli' | 'api' {
  return req.get('x-strangler-client') === 'cli' ? 'cli' : 'api';
}

/** Who made a change: the `X-Strangler-Author` header, else `api`. */
function author(req: Request): string {
  const a = req.get('x-strangler-author');
  return a && /^[\w .@:-]{1,80}$/.test(a) ? a : 'api';
}

/** The window reads on a thread of their own where the ledger is a file (ledger-reader.ts). */
export function ledgerReaderFor(ctx: AdminContext): LedgerReader {
  return ledgerReader({
    file: ctx.db.name,
    inForce: () => {
      const f = ctx.control.inForce();
      return { rules: f.rules, revision: f.revision.n };
    },
    local: () => ({ db: ctx.db, traffic: ctx.traffic, rules: ctx.control.inForce().rules, table: ctx.proxyState().table }),
    logger: ctx.logger,
  });
}

export function createAdminApp(ctx: AdminContext, reads: LedgerReader = ledgerReaderFor(ctx)): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    const s = ctx.proxyState();
    res.json({ ok: true, revision: ctx.control.inForce().revision.n, routes: s.table.routes.length, loadedAt: s.loadedAt.toISOString() });
  });

  app.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  addDashboard(app);

  app.use('/api', (req: Request, res: Response, next: NextFunction) => {
    const given = bearer(req.get('authorization'));
    if (given === null || !ctx.token.verify(given)) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="strangler"').json({ error: 'unauthorized', message: 'send Authorization: Bearer <admin token>' });
      return;
    }
    next();
  });
  app.use('/api', express.json({ limit: BODY_LIMIT }));

  app.get('/api/routes', (_req, res) => {
    const { revision, rules } = ctx.control.inForce();
    res.json({ revision: revision.n, routes: rules.routes, legacy: rules.legacy, services: rules.services, guard: rules.guard });
  });

  app.put('/api/routes', (req, res) => {
    const force = req.query.force === 'true' || req.query.force === '1';
    const message = typeof req.query.message === 'string' ? req.query.message : 'rule table replaced through the admin API';
    let table: unknown = req.body;
    // What GET /api/routes returned, edited, goes back as is: its `revision` says which table the edit was made on.
    if (table && typeof table === 'object' && !Array.isArray(table) && 'revision' in table) {
      const { revision: base, ...rest } = table as Record<string, unknown>;
      const inForce = ctx.control.inForce().revision.n;
      if (!Number.isInteger(base)) {
        res.status(400).json({ error: 'invalid rule table', errors: [{ path: 'revision', message: 'revision, when sent, is the number GET /api/routes returned' }] });
        return;
      }
      if (base !== inForce) {
        res.status(409).json({
          error: 'the rule table changed since you read it',
          errors: [{ path: 'revision', message: `your edit is based on revision ${String(base)}, but revision ${inForce} is in force: GET /api/routes and apply your change to it` }],
        });
        return;
      }
      table = rest;
    }
    const result = ctx.control.applyTable(table, { source: source(req), author: author(req), message }, force);
    if (!result.ok) {
      res.status(result.status).json({ error: result.status === 400 ? 'invalid rule table' : 'the guard refuses', errors: result.issues, checks: result.checks });
      return;
    }
    res.json({ revision: result.revision.n, routes: result.revision.table.routes });
  });

  app.post('/api/routes/:name/mode', (req, res) => {
    const body = parseBody(ModeChangeBody, req.body);
    if (!body.ok) {
      res.status(400).json({ error: 'invalid mode change', errors: body.issues });
      return;
    }
    const result = ctx.control.setMode(req.params.name!, { ...body.value, force: body.value.force === true, author: author(req), source: source(req) });
    if (!result.ok) {
      res.status(result.status).json({ error: result.error, errors: result.issues, evidence: result.check?.evidence, check: result.check });
      return;
    }
    res.json({ revision: result.revision.n, route: req.params.name, unchanged: result.unchanged === true, check: result.check });
  });

  app.get('/api/revisions', (req, res) => {
    // SQLite reads a negative LIMIT as none at all.
    const limit = Math.min(Math.max(Math.trunc(Number(req.query.limit)) || 100, 1), 1000);
    res.json({ inForce: ctx.control.inForce().revision.n, revisions: ctx.control.revisions.list(limit) });
  });

  app.get('/api/revisions/:n', (req, res) => {
    const rev = ctx.control.revisions.get(Number(req.params.n));
    if (!rev) {
      res.status(404).json({ error: `no revision ${req.params.n}` });
      return;
    }
    res.json(rev);
  });

  app.post('/api/revisions/:n/restore', (req, res) => {
    const n = Number(req.params.n);
    if (!Number.isInteger(n)) {
      res.status(404).json({ error: `no revision ${req.params.n}` });
      return;
    }
    const body = parseBody(RestoreBody, req.body);
    if (!body.ok) {
      res.status(400).json({ error: 'invalid restore', errors: body.issues });
      return;
    }
    const result = ctx.control.restore(n, author(req), body.value.reason ?? '', body.value.force === true);
    if (!result.ok) {
      const error = result.status === 404 ? `no revision ${n}` : result.status === 409 ? 'the guard refuses' : `revision ${n} no longer validates`;
      res.status(result.status).json({ error, errors: result.issues, checks: 'checks' in result ? result.checks : undefined });
      return;
    }
    res.json({ revision: result.revision.n, restored: n });
  });

  app.get('/api/mode-changes', (req, res) => {
    res.json(ctx.control.modeChanges.list(typeof req.query.route === 'string' ? req.query.route : undefined));
  });

  app.get('/api/endpoints', async (req, res) => {
    const window = parseWindow(req.query.since);
    if (!window.ok) {
      res.status(400).json({ error: 'invalid query', errors: [{ path: 'since', message: window.message }] });
      return;
    }
    res.json(await readFor(reads, res, { kind: 'endpoints', sinceMs: window.sinceMs }));
  });

  app.get('/api/progress', async (req, res) => {
    const window = parseWindow(req.query.since ?? '24h');
    if (!window.ok) {
      res.status(400).json({ error: 'invalid query', errors: [{ path: 'since', message: window.message }] });
      return;
    }
    res.json(await readFor(reads, res, { kind: 'progress', window: { sinceMs: window.sinceMs, label: window.label } }));
  });

  app.get('/api/report', async (req, res) => {
    const window = parseWindow(req.query.since);
    if (!window.ok) {
      res.status(400).json({ error: 'invalid query', errors: [{ path: 'since', message: window.message }] });
      return;
    }
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    res.json(
      await readFor(reads, res, {
        kind: 'report',
        filter: { sinceMs: window.sinceMs, label: window.label, route: str(req.query.route), endpoint: str(req.query.endpoint) },
      }),
    );
  });

  app.get('/api/samples/:id', (req, res) => {
    const id = Number(req.params.id);
    const sample = Number.isInteger(id) ? new ComparisonStore(ctx.db).sample(id) : undefined;
    if (!sample) {
      res.status(404).json({ error: `no sample ${req.params.id}` });
      return;
    }
    res.json(sample);
  });

  addDashboardApi(app, ctx, reads, author, source);

  app.use((req, res) => {
    res.status(404).json({ error: `no admin route ${req.method} ${req.path}` });
  });

  /** The ledger read-only, locked by another process, or full: the operator's to fix, so say which file and why. A change is one transaction: it did not happen. */
  const databaseError = (err: Error & { code?: unknown }, req: Request, res: Response) => {
    const reading = req.method === 'GET' || req.method === 'HEAD';
    const database = ctx.db.name;
    ctx.logger.error(
      { database, code: err.code, err: err.message, method: req.method, path: req.path },
      reading ? 'admin request failed: the database cannot be read' : 'admin change failed: the database cannot be written',
    );
    res.status(503).json({
      error: reading ? 'the database cannot be read' : 'the database cannot be written; nothing was changed',
      errors: [{ path: '', message: `${database}: ${err.message} (${String(err.code)}); try again once it is ${reading ? 'readable' : 'writable'}` }],
    });
  };

  // Body parser and other errors: a client error is a 4xx with a message, never a stack trace.
  app.use((err: Error & { status?: number; type?: string; code?: unknown }, req: Request, res: Response, _next: NextFunction) => {
    if (typeof err.code === 'string' && err.code.startsWith('SQLITE_')) {
      databaseError(err, req, res);
      return;
    }
    if (err instanceof ReadUnavailable) {
      // Busy, stuck or closing (ledger-reader.ts): nothing is wrong with the request, so the client may ask again.
      res.status(503).set('Retry-After', '1').json({ error: 'the ledger cannot be read just now', errors: [{ path: '', message: err.message }] });
      return;
    }
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) ctx.logger.error({ err: err.message, stack: err.stack }, 'admin request failed');
    const message =
      err.type === 'entity.too.large' ? `the body is over ${BODY_LIMIT}` : err.type === 'entity.parse.failed' ? 'the body is not valid JSON' : status === 500 ? 'internal error' : err.message;
    res.status(status).json({ error: message, errors: [{ path: '', message }] });
  });
  return app;
}

export async function startAdmin(ctx: AdminContext, listen: string): Promise<RunningAdmin> {
  const reads = ledgerReaderFor(ctx);
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, createAdminApp(ctx, reads));
  let a;
  try {
    a = await listenOn(server, listen);
  } catch (err) {
    await reads.close();
    throw err;
  }
  return {
    url: a.url,
    port: a.port,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await reads.close();
    },
  };
}
