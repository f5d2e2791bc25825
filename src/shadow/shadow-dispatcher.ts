import type { IncomingMessage } from 'node:http';
import { Pool } from 'undici';
import { copyTargetOf } from '../rules/copy-target.js';
import { targetPath } from '../rules/normalise-path.js';
import { ShadowSchema, type RuleFile, type ShadowSpec } from '../rules/schema.js';
import type { Plan } from '../router/decide.js';
import type { ResponseSink } from '../router/forward.js';
import { upstreamRequestHeaders } from '../router/headers.js';
import type { Target } from '../router/targets.js';
import { LEGACY } from '../router/targets.js';
import type { Logger } from '../log.js';
import { FailureEpisodes } from '../failure-episodes.js';
import { BodyCapture } from './body-capture.js';
import { Circuit, DEFAULT_CIRCUIT, type CircuitPolicy } from './circuit.js';
import { ComparePool } from './compare-pool.js';
import { sendCopy, type CopyResult } from './send-copy.js';
import type { NotAttempted, ShadowRecord } from './shadow-record.js';
import { TokenBucket } from './token-bucket.js';
import type { CapturedResponse, Outcome } from './types.js';

/**
 * Shadow copies, kept off the client's path. A copy is admitted at the
 * start of a request or counted as not compared (unsafe method, over the
 * route's budget, the target's queue full); an admitted copy waits for the
 * request body, runs on its own connection pool under a per-target
 * concurrency limit, and is compared with the primary answer (captured as
 * it streamed to the client) once both are in. A lane whose copies keep
 * failing in transport stops sending them for a while (circuit.ts).
 */

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Copy outcomes that say the target could not be reached or did not answer in time: they count towards opening a lane's circuit. */
const TRANSPORT_FAILURES: ReadonlySet<string> = new Set(['shadow-timeout', 'shadow-refused', 'shadow-reset']);
const DEFAULT_SPEC: ShadowSpec = ShadowSchema.parse({});

export interface ShadowOptions {
  /**
   * Copies that were sent or waited in a lane, once each, compared or not. A copy refused before it left
   * (unsafe method, budget, full queue, open circuit) is not recorded here: begin() returns its reason, for
   * the exchange's own fact (ExchangeFact.copy).
   */
  record: (r: ShadowRecord) => void;
  /** Each copy's end, including those never recorded (refused, sampled out, abandoned, primary failed): for metrics. */
  onCount?: (kind: 'shadow' | 'noise', outcome: string) => void;
  logger: Logger;
  /** Copies in flight per target. */
  concurrency?: number;
  /** Copies waiting per target beyond those in flight. */
  queueMax?: number;
  random?: () => number;
  /** When a lane stops sending copies after failures in a row, and for how long (DEFAULT_CIRCUIT). */
  circuit?: CircuitPolicy;
  /** A lane's circuit opened (copies to the target paused) or closed again: for the gauge. */
  onCircuit?: (target: string, open: boolean) => void;
}

export interface ShadowSession {
  /** For requests with a body: fed as the body streams in. */
  readonly requestBody: BodyCapture | null;
  readonly sink: ResponseSink;
  /** The request body is complete (or there is none): the copy may go. */
  requestDone(): void;
  /** The client's answer is finished; `answered` false when it did not come from the captured target. */
  primaryDone(answered: boolean, ms: number): void;
}

interface Lane {
  /** The first target seen with this origin: the name the log and the gauge use. */
  name: string;
  pool: Pool;
  active: number;
  /** Admitted sessions not yet finished with this lane. */
  reserved: number;
  queue: Array<Waiting>;
  circuit: Circuit;
  /** The two places admit() hands out, made once per lane rather than per copy. */
  slots: { go: Slot; probe: Slot };
}

/** An admitted copy's place: its lane, and whether it is the probe of an open circuit. */
interface Slot {
  lane: Lane;
  probe: boolean;
}

/** A copy waiting for a slot in its lane: started when one frees, or dropped when the circuit opens. */
interface Waiting {
  start(): void;
  drop(): void;
}

let exchangeCounter = 0;
const exchangeBase = Math.random().toString(36).slice(2, 8);
const nextExchangeId = () => `${exchangeBase}-${(++exchangeCounter).toString(36)}`;

export class ShadowDispatcher {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly lanes = new Map<string, Lane>();
  private readonly concurrency: number;
  private readonly queueMax: number;
  private readonly random: () => number;
  readonly counts: Record<string, number> = {};
  private readonly comparer: ComparePool;
  /** Per route: copies failing now, told to the log once per episode rather than once per copy. */
  private readonly episodes = new FailureEpisodes();

  constructor(private readonly o: ShadowOptions) {
    this.concurrency = o.concurrency ?? 16;
    this.queueMax = o.queueMax ?? 128;
    this.random = o.random ?? Math.random;
    this.comparer = new ComparePool(o.logger);
  }

  /** Every copy ends here once, compared or not, with its reason; in `counts`, `noise-` marks legacy-vs-legacy copies. */
  private count(outcome: string, kind: 'shadow' | 'noise' = 'shadow'): void {
    const key = kind === 'noise' ? `noise-${outcome}` : outcome;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    this.o.onCount?.(kind, outcome);
  }

  private copyFailed(route: string, target: string, outcome: string, error: string): void {
    // Copies paused by the circuit are told once, by observe().
    if (outcome === 'dropped-circuit') return;
    const t = this.episodes.failed(route, outcome, Date.now());
    if (!t.tell) return;
    this.o.logger.warn(
      { route, target, outcome, err: error, failures: t.failures, untold: t.untold },
      t.first
        ? `shadow copies to ${target} are failing (${outcome}); clients are not affected, the copies are counted by outcome`
        : `shadow copies to ${target} are still failing (${outcome}): ${t.failures} so far`,
    );
  }

  private copyAnswered(route: string, target: string): void {
    const ended = this.episodes.succeeded(route, Date.now());
    if (ended) this.o.logger.info({ route, target, failures: ended.failures }, `shadow copies to ${target} are answered again after ${ended.failures} failed`);
  }

  private lane(target: Target): Lane {
    let lane = this.lanes.get(target.origin);
    if (!lane) {
      // Its own pool: shadow copies never take a connection the client's requests could use.
      const l: Lane = {
        name: target.name,
        pool: new Pool(target.origin, { connections: this.concurrency, keepAliveTimeout: 4_000, connectTimeout: 5_000 }),
        active: 0,
        reserved: 0,
        queue: [],
        circuit: new Circuit(this.o.circuit ?? DEFAULT_CIRCUIT),
        slots: null!,
      };
      l.slots = { go: { lane: l, probe: false }, probe: { lane: l, probe: true } };
      this.lanes.set(target.origin, (lane = l));
    }
    return lane;
  }

  /** Takes a place in the lane (the probe's, for the one copy that tests an open circuit), or says why not. */
  private admit(lane: Lane): Slot | 'dropped-queue' | 'dropped-circuit' {
    const full = lane.reserved >= this.concurrency + this.queueMax;
    let slot = lane.slots.go;
    if (lane.circuit.open) {
      const admission = full ? false : lane.circuit.allow(Date.now());
      if (!admission) return 'dropped-circuit';
      if (admission === 'probe') slot = lane.slots.probe;
    } else if (full) return 'dropped-queue';
    lane.reserved++;
    return slot;
  }

  private run(lane: Lane, job: () => Promise<void>, dropped: () => void): void {
    const start = () => {
      lane.active++;
      job().finally(() => {
        lane.active--;
        lane.reserved--;
        lane.queue.shift()?.start();
      });
    };
    if (lane.active < this.concurrency) start();
    else
      lane.queue.push({
        start,
        drop: () => {
          lane.reserved--;
          dropped();
        },
      });
  }

  /** A copy's result, told to its lane's circuit; an opening drops the copies waiting in the lane. */
  private observe(lane: Lane, r: CopyResult, probe: boolean): void {
    const now = Date.now();
    const change = r.ok || !TRANSPORT_FAILURES.has(r.outcome) ? lane.circuit.answered(now) : lane.circuit.failed(now, probe);
    if (!change) return;
    if ('opened' in change) {
      const waiting = lane.queue.splice(0);
      for (const w of waiting) w.drop();
      this.o.logger.warn(
        { target: lane.name, failures: change.failures, pausedMs: change.forMs, dropped: waiting.length },
        `shadow copies to ${lane.name} paused for ${change.forMs / 1000} s after ${change.failures} failed in a row; clients are not affected; one copy will probe it then`,
      );
    } else {
      this.o.logger.info({ target: lane.name, pausedMs: change.openedFor }, `shadow copies to ${lane.name} resumed: a copy was answered after ${Math.round(change.openedFor / 1000)} s paused`);
    }
    this.o.onCircuit?.(lane.name, 'opened' in change);
  }

  /**
   * A copy refused before it left. Under a hung service every request ends
   * here, so it costs a count and nothing else: the reason travels back to
   * the proxy, on the exchange's own fact, and the ledger counts it with the
   * endpoint it attributes to that fact anyway (ExchangeFact.copy).
   */
  private skip(outcome: NotAttempted): NotAttempted {
    this.count(outcome);
    return outcome;
  }

  /**
   * Hot path: decides whether this exchange gets a copy. Null when its route
   * does not shadow it (or sampled it out); why, when a copy was due and is
   * not sent: the caller puts that on the exchange's fact.
   */
  begin(plan: Plan, req: IncomingMessage, targets: ReadonlyMap<string, Target>, rules: RuleFile, hasBody: boolean): ShadowSession | NotAttempted | null {
    const route = plan.spec;
    if (!route || !plan.route) return null;
    const to = copyTargetOf(route);
    if (to === undefined) return null;
    const legacyIsPrimary = route.mode === 'shadow';
    // `against: legacy` copies only what the service answered.
    if (!legacyIsPrimary && plan.primary.kind !== 'service') return null;
    const copyTarget = targets.get(to);
    if (!copyTarget) return null;
    const spec = route.shadow ?? DEFAULT_SPEC;
    const method = req.method ?? 'GET';

    if (spec.percent < 100 && this.random() * 100 >= spec.percent) {
      this.count('sampled-out');
      return null;
    }
    if (!SAFE.has(method) && !spec.unsafe) return this.skip('skipped-unsafe');
    let bucket = this.buckets.get(plan.route);
    if (!bucket) this.buckets.set(plan.route, (bucket = new TokenBucket(spec.maxPerSecond)));
    else bucket.setRate(spec.maxPerSecond);
    if (!bucket.take()) return this.skip('dropped-budget');
    const slot = this.admit(this.lane(copyTarget));
    if (typeof slot === 'string') return this.skip(slot);

    // Noise: legacy asked a second time, only for safe requests and only when legacy is the one answering the client.
    let noiseSlot: Slot | null = null;
    const legacy = targets.get(LEGACY)!;
    if (legacyIsPrimary && SAFE.has(method) && spec.noisePercent > 0 && this.random() * 100 < spec.noisePercent) {
      const admitted = this.admit(this.lane(legacy));
      if (typeof admitted === 'string') this.count(admitted, 'noise');
      else noiseSlot = admitted;
    }
    // Samples name the service compared: the copy's target, or with `against: legacy` the one that answered.
    const serviceName = legacyIsPrimary ? copyTarget.name : plan.primary.name;
    return this.session(plan.route, spec, req, rules, copyTarget, legacy, slot, noiseSlot, legacyIsPrimary, hasBody, serviceName);
  }

  private session(
    route: string,
    spec: ShadowSpec,
    req: IncomingMessage,
    rules: RuleFile,
    copyTarget: Target,
    legacy: Target,
    slot: Slot,
    noiseSlot: Slot | null,
    legacyIsPrimary: boolean,
    hasBody: boolean,
    serviceName: string,
  ): ShadowSession {
    const at = Date.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const exchange = nextExchangeId();
    const requestBody = hasBody ? new BodyCapture(spec.maxBodyBytes) : null;
    const primaryBody = new BodyCapture(spec.maxBodyBytes);
    let primaryStatus = 0;
    let primaryHeaders: string[] = [];
    let primaryFailed = false;
    let primary: { answered: boolean; ms: number } | null = null;
    let copy: CopyResult | null = null;
    let noise: CopyResult | null = null;
    let noisePending = noiseSlot !== null;
    let started = false;
    const clientIp = req.socket.remoteAddress ?? '';
    const rawHeaders = req.rawHeaders;

    const headersFor = (target: Target, noiseCall: boolean) => {
      const h = upstreamRequestHeaders(rawHeaders, {
        clientIp,
        proto: 'http',
        forwarded: rules.forwarded,
        via: rules.via,
        hostHeader: target.hostHeader,
        targetHost: target.targetHost,
      });
      h.push('x-strangler-shadow', '1', 'x-strangler-exchange', exchange);
      if (noiseCall) h.push('x-strangler-noise', '1');
      return h;
    };

    const settle = () => {
      if (!primary || !copy || noisePending) return;
      // Comparing is CPU work: never in the same tick as the client's answer.
      setImmediate(compareAndRecord);
    };

    const primaryResponse = (): CapturedResponse => ({ status: primaryStatus, headers: primaryHeaders, body: primaryBody.body(), truncated: primaryBody.truncated });

    const recordPair = (kind: ShadowRecord['kind'], legacyRes: CapturedResponse, legacyMs: number, other: CopyResult, otherTarget: string) => {
      if (!other.ok) {
        this.count(other.outcome, kind);
        if (kind === 'shadow') this.copyFailed(route, copyTarget.name, other.outcome, other.error);
        this.o.record({ kind, at, route, method, url, outcome: other.outcome, legacyStatus: legacyRes.status, otherStatus: null, legacyMs, otherMs: other.ms, differences: [], exchange, sample: null });
        return;
      }
      this.comparer.compare(legacyRes, other.response, spec.compare).then(
        (result) => {
          if (!result) {
            this.count('dropped-queue', kind);
            this.o.record({ kind, at, route, method, url, outcome: 'dropped-queue', legacyStatus: legacyRes.status, otherStatus: other.response.status, legacyMs, otherMs: other.ms, differences: [], exchange, sample: null });
            return;
          }
          this.count(result.outcome, kind);
          if (kind === 'shadow') this.copyAnswered(route, copyTarget.name);
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
            sample:
              kind === 'shadow'
                ? { target: otherTarget, request: { method, url, headers: rawHeaders, body: requestBody?.truncated ? null : (requestBody?.body() ?? null) }, legacy: legacyRes, other: other.response, redact: spec.redact }
                : null,
          });
        },
        (err: Error) => {
          this.count('compare-failed', kind);
          this.o.logger.error({ route, err: err.message }, 'shadow comparison failed');
        },
      );
    };

    const compareAndRecord = () => {
      try {
        if (!primary!.answered || primaryFailed) {
          this.count('primary-failed');
          return;
        }
        const primaryRes = primaryResponse();
        if (primaryRes.truncated) {
          this.count('too-large');
          this.o.record({ kind: 'shadow', at, route, method, url, outcome: 'too-large', legacyStatus: primaryStatus, otherStatus: copy!.ok ? copy!.response.status : null, legacyMs: primary!.ms, otherMs: copy!.ms, differences: [], exchange, sample: null });
          return;
        }
        if (legacyIsPrimary) {
          recordPair('shadow', primaryRes, primary!.ms, copy!, serviceName);
          if (noise) recordPair('noise', primaryRes, primary!.ms, noise, legacy.name);
        } else if (copy!.ok) {
          // The service answered the client; the copy went to legacy, whose side the differences are seen from.
          const c = copy!;
          recordPair('shadow', c.response, c.ms, { ok: true, response: primaryRes, ms: primary!.ms }, serviceName);
        } else {
          // The copy to legacy failed: not compared, and counted with its reason like any other copy.
          const c = copy!;
          this.count(c.outcome);
          this.copyFailed(route, copyTarget.name, c.outcome, c.error);
          this.o.record({ kind: 'shadow', at, route, method, url, outcome: c.outcome, legacyStatus: null, otherStatus: primaryStatus, legacyMs: c.ms, otherMs: primary!.ms, differences: [], exchange, sample: null });
        }
      } catch (err) {
        this.o.logger.error({ route, err: (err as Error).message }, 'shadow comparison failed');
      }
    };

    const sendTo = ({ lane: l, probe }: Slot, target: Target, noiseCall: boolean, done: (r: CopyResult) => void) => {
      this.run(
        l,
        async () => {
          const body = requestBody ? (requestBody.truncated ? null : requestBody.body()) : null;
          if (requestBody?.truncated) {
            done({ ok: false, outcome: 'too-large', ms: 0, error: 'request body over maxBodyBytes' });
            return;
          }
          const r = await sendCopy(l.pool, {
            origin: target.origin,
            path: target.basePath ? target.basePath + targetPath(url) : targetPath(url),
            method,
            headers: headersFor(target, noiseCall),
            body,
            timeoutMs: spec.timeoutMs,
            maxBodyBytes: spec.maxBodyBytes,
          });
          this.observe(l, r, probe);
          done(r);
        },
        () => done({ ok: false, outcome: 'dropped-circuit', ms: 0, error: `copies to ${target.name} are paused` }),
      );
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
        onEnd() {},
        onError() {
          primaryFailed = true;
        },
      },
      requestDone: () => {
        if (started || primary?.answered === false) return;
        started = true;
        sendTo(slot, copyTarget, false, (r) => {
          copy = r;
          settle();
        });
        if (noiseSlot) {
          sendTo(noiseSlot, legacy, true, (r) => {
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
          slot.lane.reserved--;
          if (noiseSlot) noiseSlot.lane.reserved--;
          this.count('abandoned');
          return;
        }
        settle();
      },
    };
  }

  async close(): Promise<void> {
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    await this.comparer.close();
    await Promise.all(lanes.map((l) => l.pool.destroy().catch(() => undefined)));
  }
}
