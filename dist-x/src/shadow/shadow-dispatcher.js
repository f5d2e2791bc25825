import { Pool } from 'undici';
import { targetPath } from '../rules/normalise-path.js';
import { ShadowSchema } from '../rules/schema.js';
import { upstreamRequestHeaders } from '../router/headers.js';
import { LEGACY } from '../router/targets.js';
import { FailureEpisodes } from '../failure-episodes.js';
import { BodyCapture } from './body-capture.js';
import { ComparePool } from './compare-pool.js';
import { sendCopy } from './send-copy.js';
import { TokenBucket } from './token-bucket.js';
/**
 * Shadow copies, kept off the client's path. A copy is admitted at the
 * start of a request or counted as not compared (unsafe method, over the
 * route's budget, the target's queue full); an admitted copy waits for the
 * request body, runs on its own connection pool under a per-target
 * concurrency limit, and is compared with the primary answer (captured as
 * it streamed to the client) once both are in.
 */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const DEFAULT_SPEC = ShadowSchema.parse({});
let exchangeCounter = 0;
const exchangeBase = Math.random().toString(36).slice(2, 8);
const nextExchangeId = () => `${exchangeBase}-${(++exchangeCounter).toString(36)}`;
export class ShadowDispatcher {
    o;
    buckets = new Map();
    lanes = new Map();
    concurrency;
    queueMax;
    random;
    counts = {};
    comparer;
    /** Per route: copies failing now, told to the log once per episode rather than once per copy. */
    episodes = new FailureEpisodes();
    constructor(o) {
        this.o = o;
        this.concurrency = o.concurrency ?? 16;
        this.queueMax = o.queueMax ?? 128;
        this.random = o.random ?? Math.random;
        this.comparer = new ComparePool(o.logger);
    }
    /** Every copy ends here once, compared or not, with its reason; `noise-` marks legacy-vs-legacy copies. */
    count(outcome) {
        this.counts[outcome] = (this.counts[outcome] ?? 0) + 1;
        if (outcome.startsWith('noise-'))
            this.o.onCount?.('noise', outcome.slice(6));
        else
            this.o.onCount?.('shadow', outcome);
    }
    copyFailed(route, target, outcome, error) {
        const t = this.episodes.failed(route, outcome, Date.now());
        if (!t.tell)
            return;
        this.o.logger.warn({ route, target, outcome, err: error, failures: t.failures, untold: t.untold }, t.first
            ? `shadow copies to ${target} are failing (${outcome}); clients are not affected, the copies are counted by outcome`
            : `shadow copies to ${target} are still failing (${outcome}): ${t.failures} so far`);
    }
    copyAnswered(route, target) {
        const ended = this.episodes.succeeded(route, Date.now());
        if (ended)
            this.o.logger.info({ route, target, failures: ended.failures }, `shadow copies to ${target} are answered again after ${ended.failures} failed`);
    }
    lane(target) {
        let lane = this.lanes.get(target.origin);
        if (!lane) {
            // Its own pool: shadow copies never take a connection the client's requests could use.
            lane = { pool: new Pool(target.origin, { connections: this.concurrency, keepAliveTimeout: 4_000, connectTimeout: 5_000 }), active: 0, reserved: 0, queue: [] };
            this.lanes.set(target.origin, lane);
        }
        return lane;
    }
    admit(lane) {
        if (lane.reserved >= this.concurrency + this.queueMax)
            return false;
        lane.reserved++;
        return true;
    }
    run(lane, job) {
        const start = () => {
            lane.active++;
            job().finally(() => {
                lane.active--;
                lane.reserved--;
                lane.queue.shift()?.();
            });
        };
        if (lane.active < this.concurrency)
            start();
        else
            lane.queue.push(start);
    }
    skip(outcome, route, req, kind = 'shadow') {
        this.count(outcome);
        if (process.env.NOSKIPREC) return null; this.o.record({
            kind,
            at: Date.now(),
            route,
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            outcome,
            legacyStatus: null,
            otherStatus: null,
            legacyMs: null,
            otherMs: null,
            differences: [],
            exchange: null,
            sample: null,
        });
        return null;
    }
    /** Hot path: decides whether this exchange gets a copy. Returns null when it does not. */
    begin(plan, req, targets, rules, hasBody) {
        const route = plan.spec;
        if (!route || !plan.route)
            return null;
        let copyTarget;
        let legacyIsPrimary;
        if (route.mode === 'shadow') {
            copyTarget = route.service === undefined ? undefined : targets.get(route.service);
            legacyIsPrimary = true;
        }
        else if (route.shadow?.against === 'legacy' && plan.primary.kind === 'service') {
            copyTarget = targets.get(LEGACY);
            legacyIsPrimary = false;
        }
        else
            return null;
        if (!copyTarget)
            return null;
        const spec = route.shadow ?? DEFAULT_SPEC;
        const method = req.method ?? 'GET';
        if (spec.percent < 100 && this.random() * 100 >= spec.percent) {
            this.count('sampled-out');
            return null;
        }
        if (!SAFE.has(method) && !spec.unsafe)
            return this.skip('skipped-unsafe', plan.route, req);
        let bucket = this.buckets.get(plan.route);
        if (!bucket)
            this.buckets.set(plan.route, (bucket = new TokenBucket(spec.maxPerSecond)));
        else
            bucket.setRate(spec.maxPerSecond);
        if (!bucket.take())
            return this.skip('dropped-budget', plan.route, req);
        const lane = this.lane(copyTarget);
        if (!this.admit(lane))
            return this.skip('dropped-queue', plan.route, req);
        // Noise: legacy asked a second time, only for safe requests and only when legacy is the one answering the client.
        let noiseLane = null;
        const legacy = targets.get(LEGACY);
        if (legacyIsPrimary && SAFE.has(method) && spec.noisePercent > 0 && this.random() * 100 < spec.noisePercent) {
            const l = this.lane(legacy);
            if (this.admit(l))
                noiseLane = l;
            else
                this.count('noise-dropped-queue');
        }
        // Samples name the service compared: the copy's target, or with `against: legacy` the one that answered.
        const serviceName = legacyIsPrimary ? copyTarget.name : plan.primary.name;
        return this.session(plan.route, spec, req, rules, copyTarget, legacy, lane, noiseLane, legacyIsPrimary, hasBody, serviceName);
    }
    session(route, spec, req, rules, copyTarget, legacy, lane, noiseLane, legacyIsPrimary, hasBody, serviceName) {
        const at = Date.now();
        const method = req.method ?? 'GET';
        const url = req.url ?? '/';
        const exchange = nextExchangeId();
        const requestBody = hasBody ? new BodyCapture(spec.maxBodyBytes) : null;
        const primaryBody = new BodyCapture(spec.maxBodyBytes);
        let primaryStatus = 0;
        let primaryHeaders = [];
        let primaryFailed = false;
        let primary = null;
        let copy = null;
        let noise = null;
        let noisePending = noiseLane !== null;
        let started = false;
        const clientIp = req.socket.remoteAddress ?? '';
        const rawHeaders = req.rawHeaders;
        const headersFor = (target, noiseCall) => {
            const h = upstreamRequestHeaders(rawHeaders, {
                clientIp,
                proto: 'http',
                forwarded: rules.forwarded,
                via: rules.via,
                hostHeader: target.hostHeader,
                targetHost: target.targetHost,
            });
            h.push('x-strangler-shadow', '1', 'x-strangler-exchange', exchange);
            if (noiseCall)
                h.push('x-strangler-noise', '1');
            return h;
        };
        const settle = () => {
            if (!primary || !copy || noisePending)
                return;
            // Comparing is CPU work: never in the same tick as the client's answer.
            setImmediate(compareAndRecord);
        };
        const primaryResponse = () => ({ status: primaryStatus, headers: primaryHeaders, body: primaryBody.body(), truncated: primaryBody.truncated });
        const recordPair = (kind, legacyRes, legacyMs, other, otherTarget) => {
            if (!other.ok) {
                this.count(kind === 'noise' ? `noise-${other.outcome}` : other.outcome);
                if (kind === 'shadow')
                    this.copyFailed(route, copyTarget.name, other.outcome, other.error);
                this.o.record({ kind, at, route, method, url, outcome: other.outcome, legacyStatus: legacyRes.status, otherStatus: null, legacyMs, otherMs: other.ms, differences: [], exchange, sample: null });
                return;
            }
            this.comparer.compare(legacyRes, other.response, spec.compare).then((result) => {
                if (!result) {
                    this.count(kind === 'noise' ? 'noise-dropped-queue' : 'dropped-queue');
                    this.o.record({ kind, at, route, method, url, outcome: 'dropped-queue', legacyStatus: legacyRes.status, otherStatus: other.response.status, legacyMs, otherMs: other.ms, differences: [], exchange, sample: null });
                    return;
                }
                this.count(kind === 'noise' ? `noise-${result.outcome}` : result.outcome);
                if (kind === 'shadow')
                    this.copyAnswered(route, copyTarget.name);
                this.o.record({
                    kind,
                    at,
                    route,
                    method,
                    url,
                    outcome: result.outcome,
                    legacyStatus: legacyRes.status,
                    otherStatus: other.response.status,
                    legacyMs,
                    otherMs: other.ms,
                    differences: result.differences,
                    exchange,
                    sample: kind === 'shadow'
                        ? { target: otherTarget, request: { method, url, headers: rawHeaders, body: requestBody?.truncated ? null : (requestBody?.body() ?? null) }, legacy: legacyRes, other: other.response, redact: spec.redact }
                        : null,
                });
            }, (err) => {
                this.count(kind === 'noise' ? 'noise-compare-failed' : 'compare-failed');
                this.o.logger.error({ route, err: err.message }, 'shadow comparison failed');
            });
        };
        const compareAndRecord = () => {
            try {
                if (!primary.answered || primaryFailed) {
                    this.count('primary-failed');
                    return;
                }
                const primaryRes = primaryResponse();
                if (primaryRes.truncated) {
                    this.count('too-large');
                    this.o.record({ kind: 'shadow', at, route, method, url, outcome: 'too-large', legacyStatus: primaryStatus, otherStatus: copy.ok ? copy.response.status : null, legacyMs: primary.ms, otherMs: copy.ms, differences: [], exchange, sample: null });
                    return;
                }
                if (legacyIsPrimary) {
                    recordPair('shadow', primaryRes, primary.ms, copy, serviceName);
                    if (noise)
                        recordPair('noise', primaryRes, primary.ms, noise, legacy.name);
                }
                else if (copy.ok) {
                    // The service answered the client; the copy went to legacy, whose side the differences are seen from.
                    const c = copy;
                    recordPair('shadow', c.response, c.ms, { ok: true, response: primaryRes, ms: primary.ms }, serviceName);
                }
                else {
                    // The copy to legacy failed: not compared, and counted with its reason like any other copy.
                    const c = copy;
                    this.count(c.outcome);
                    this.copyFailed(route, copyTarget.name, c.outcome, c.error);
                    this.o.record({ kind: 'shadow', at, route, method, url, outcome: c.outcome, legacyStatus: null, otherStatus: primaryStatus, legacyMs: c.ms, otherMs: primary.ms, differences: [], exchange, sample: null });
                }
            }
            catch (err) {
                this.o.logger.error({ route, err: err.message }, 'shadow comparison failed');
            }
        };
        const sendTo = (l, target, noiseCall, done) => {
            this.run(l, async () => {
                const body = requestBody ? (requestBody.truncated ? null : requestBody.body()) : null;
                if (requestBody?.truncated) {
                    done({ ok: false, outcome: 'too-large', ms: 0, error: 'request body over maxBodyBytes' });
                    return;
                }
                done(await sendCopy(l.pool, {
                    origin: target.origin,
                    path: target.basePath ? target.basePath + targetPath(url) : targetPath(url),
                    method,
                    headers: headersFor(target, noiseCall),
                    body,
                    timeoutMs: spec.timeoutMs,
                    maxBodyBytes: spec.maxBodyBytes,
                }));
            });
        };
        return {
            requestBody,
            sink: {
                onHeaders(status, raw) {
                    primaryStatus = status;
                    primaryHeaders = raw;
                },
                onData(chunk) {
                    primaryBody.push(chunk);
                },
                onEnd() { },
                onError() {
                    primaryFailed = true;
                },
            },
            requestDone: () => {
                if (started || primary?.answered === false)
                    return;
                started = true;
                sendTo(lane, copyTarget, false, (r) => {
                    copy = r;
                    settle();
                });
                if (noiseLane) {
                    sendTo(noiseLane, legacy, true, (r) => {
                        noise = r;
                        noisePending = false;
                        settle();
                    });
                }
            },
            primaryDone: (answered, ms) => {
                primary = { answered, ms };
                if (!started) {
                    // The client went away (or the answer failed) before the copy left: give back the admitted slots.
                    started = true;
                    lane.reserved--;
                    if (noiseLane)
                        noiseLane.reserved--;
                    this.count('abandoned');
                    return;
                }
                settle();
            },
        };
    }
    async close() {
        const lanes = [...this.lanes.values()];
        this.lanes.clear();
        await this.comparer.close();
        await Promise.all(lanes.map((l) => l.pool.destroy().catch(() => undefined)));
    }
}
//# sourceMappingURL=shadow-dispatcher.js.map