import http from 'node:http';
import express from 'express';
import { listenOn } from '../router/listen-address.js';
import { bearer } from './token.js';
import { buildReport } from '../report/report-data.js';
import { ComparisonStore } from '../store/comparisons.js';
import { progressReport, endpointRows, parseWindow } from './views.js';
import { ModeChangeBody, RestoreBody, parseBody } from './request-bodies.js';
import { addDashboard } from './dashboard.js';
import { addDashboardApi } from './dashboard-api.js';
const BODY_LIMIT = '1mb';
/** Where a change came from: the strangler CLI says so in `X-Strangler-Client`. */
function source(req) {
    return req.get('x-strangler-client') === 'cli' ? 'cli' : 'api';
}
/** Who made a change: the `X-Strangler-Author` header, else `api`. */
function author(req) {
    const a = req.get('x-strangler-author');
    return a && /^[\w .@:-]{1,80}$/.test(a) ? a : 'api';
}
export function createAdminApp(ctx) {
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
    app.use('/api', (req, res, next) => {
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
        let table = req.body;
        // What GET /api/routes returned, edited, goes back as is: its `revision` says which table the edit was made on.
        if (table && typeof table === 'object' && !Array.isArray(table) && 'revision' in table) {
            const { revision: base, ...rest } = table;
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
        const result = ctx.control.setMode(req.params.name, { ...body.value, force: body.value.force === true, author: author(req), source: source(req) });
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
    app.get('/api/endpoints', (req, res) => {
        const window = parseWindow(req.query.since);
        if (!window.ok) {
            res.status(400).json({ error: 'invalid query', errors: [{ path: 'since', message: window.message }] });
            return;
        }
        res.json(endpointRows(ctx.traffic, ctx.control.inForce().rules, ctx.proxyState(), window.sinceMs));
    });
    app.get('/api/progress', (req, res) => {
        const window = parseWindow(req.query.since ?? '24h');
        if (!window.ok) {
            res.status(400).json({ error: 'invalid query', errors: [{ path: 'since', message: window.message }] });
            return;
        }
        res.json(progressReport(ctx.traffic, ctx.control.inForce().rules, ctx.proxyState(), window));
    });
    app.get('/api/report', (req, res) => {
        const window = parseWindow(req.query.since);
        if (!window.ok) {
            res.status(400).json({ error: 'invalid query', errors: [{ path: 'since', message: window.message }] });
            return;
        }
        const str = (v) => (typeof v === 'string' && v !== '' ? v : undefined);
        res.json(buildReport(ctx.db, ctx.traffic, ctx.control.inForce().rules, ctx.proxyState().table, {
            sinceMs: window.sinceMs,
            label: window.label,
            route: str(req.query.route),
            endpoint: str(req.query.endpoint),
        }));
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
    addDashboardApi(app, ctx, author, source);
    app.use((req, res) => {
        res.status(404).json({ error: `no admin route ${req.method} ${req.path}` });
    });
    /** The ledger read-only, locked by another process, or full: the operator's to fix, so say which file and why. A change is one transaction: it did not happen. */
    const databaseError = (err, req, res) => {
        const reading = req.method === 'GET' || req.method === 'HEAD';
        const database = ctx.db.name;
        ctx.logger.error({ database, code: err.code, err: err.message, method: req.method, path: req.path }, reading ? 'admin request failed: the database cannot be read' : 'admin change failed: the database cannot be written');
        res.status(503).json({
            error: reading ? 'the database cannot be read' : 'the database cannot be written; nothing was changed',
            errors: [{ path: '', message: `${database}: ${err.message} (${String(err.code)}); try again once it is ${reading ? 'readable' : 'writable'}` }],
        });
    };
    // Body parser and other errors: a client error is a 4xx with a message, never a stack trace.
    app.use((err, req, res, _next) => {
        if (typeof err.code === 'string' && err.code.startsWith('SQLITE_')) {
            databaseError(err, req, res);
            return;
        }
        const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
        if (status === 500)
            ctx.logger.error({ err: err.message, stack: err.stack }, 'admin request failed');
        const message = err.type === 'entity.too.large' ? `the body is over ${BODY_LIMIT}` : err.type === 'entity.parse.failed' ? 'the body is not valid JSON' : status === 500 ? 'internal error' : err.message;
        res.status(status).json({ error: message, errors: [{ path: '', message }] });
    });
    return app;
}
export async function startAdmin(ctx, listen) {
    const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, createAdminApp(ctx));
    const a = await listenOn(server, listen);
    return {
        url: a.url,
        port: a.port,
        server,
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
        }),
    };
}
//# sourceMappingURL=server.js.map