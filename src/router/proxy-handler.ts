import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { RequestView } from '../rules/request-view.js';
import type { Mode } from '../rules/schema.js';
import type { Logger } from '../log.js';
import type { ShadowDispatcher } from '../shadow/shadow-dispatcher.js';
import type { NotAttempted } from '../shadow/shadow-record.js';
import { decide, type Plan } from './decide.js';
import { cancelExchange, forward, newCancel, type ForwardResult, type Outgoing } from './forward.js';
import { upstreamRequestHeaders } from './headers.js';
import { FailureEpisodes } from '../failure-episodes.js';
import { ambiguousPath, closingAfterRefusal, framingRefusal, sendRefusal, type RefusalReason } from './refusal.js';
import type { RoutingState } from './state.js';
import type { Target } from './targets.js';
import { mayRetryElsewhere, sendUpstreamError, type FailReason } from './upstream-error.js';

/** One small fact per exchange, for the ledger and metrics. */
export interface ExchangeFact {
  route: string | null;
  mode: Mode;
  method: string;
  /** Raw path and query as the client sent them. */
  url: string;
  /** Name of the target that answered (or failed): `legacy` or a service. */
  target: string;
  /** 0 when no response reached the client from the target. */
  status: number;
  error: FailReason | null;
  /** True when legacy answered after the service failed. */
  fellBack: boolean;
  startedAt: number;
  durationMs: number;
  /** Bytes read from and written to the client connection during this exchange (socket counters, so approximate under pipelining). */
  bytesIn: number;
  bytesOut: number;
  /**
   * Why this exchange's shadow copy was not sent, when its route meant to
   * send one (unsafe method, over budget, queue full, circuit open); else
   * null. The ledger counts it per endpoint and minute with the exchange.
   */
  copy: NotAttempted | null;
}

export interface HandlerOptions {
  getState: () => RoutingState;
  logger: Logger;
  onExchange?: (fact: ExchangeFact) => void;
  /** Shadow copies; absent, shadow routes behave like legacy routes. */
  shadow?: ShadowDispatcher;
  /** A request answered by the proxy itself and never forwarded; for metrics. */
  onRefused?: (reason: RefusalReason) => void;
}

/** Bodies up to this size are kept in memory when a fallback might need to send them again. */
const FALLBACK_BODY_LIMIT = 1024 * 1024;
const FALLBACK_STATUS = new Set([502, 503, 504]);
const divertForFallback = (status: number) => FALLBACK_STATUS.has(status);

function hasBody(req: IncomingMessage): boolean {
  const te = req.headers['transfer-encoding'];
  if (te !== undefined) return true;
  const cl = req.headers['content-length'];
  return cl !== undefined && cl !== '0';
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(Object.assign(new Error('client aborted'), { code: 'ABORT_ERR' })));
  });
}

const episodeKey = (route: string | null, target: Target) => `${route ?? ''}\u0000${target.name}`;

export function createProxyHandler(o: HandlerOptions) {
  const { logger, onExchange } = o;
  const episodes = new FailureEpisodes();

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    // Pipelined behind a refused request: the connection closes after the refusal, and this one is never read.
    if (closingAfterRefusal(req.socket)) return;
    const refusal = framingRefusal(req);
    if (refusal) {
      o.onRefused?.(refusal.reason);
      sendRefusal(req, res, refusal);
      return;
    }
    const startedAt = Date.now();
    const started = performance.now();
    const socket = req.socket;
    const read0 = socket.bytesRead;
    const written0 = socket.bytesWritten;
    const state = o.getState();
    const method = req.method ?? 'GET';
    const view = new RequestView(method, req.url ?? '/', req.headers, req.socket.remoteAddress ?? '');
    const matched = state.table.match(view);
    const misread = state.table.misreading(view, matched);
    if (misread) {
      o.onRefused?.('ambiguous-path');
      logger.info({ method, url: req.url, route: matched?.route.name ?? null, otherRoute: misread.route, reading: misread.how }, 'ambiguous path refused');
      sendRefusal(req, res, ambiguousPath(view.rawPath, matched?.route.name ?? null, misread));
      return;
    }
    const plan = decide(matched, view, state.targets);
    res.sendDate = false;

    const withBody = hasBody(req);
    const begun = o.shadow ? o.shadow.begin(plan, req, state.targets, state.table.rules, withBody) : null;
    const session = typeof begun === 'string' ? null : begun;
    const refused = typeof begun === 'string' ? begun : null;

    const cancel = newCancel();
    res.on('close', () => {
      if (!res.writableFinished) cancelExchange(cancel);
    });

    const finish = (target: Target, result: ForwardResult, fellBack: boolean) => {
      let error: FailReason | null = null;
      let status = 0;
      if (result.kind === 'failed') {
        error = result.reason;
        if (result.reason !== 'client-gone') {
          // A dead target fails every request: the log hears of it once per episode (and per new cause, or a minute on), not per request.
          const t = episodes.failed(episodeKey(plan.route, target), result.reason, Date.now());
          if (t.tell) {
            logger.warn(
              { route: plan.route, target: target.name, origin: target.origin, method, url: req.url, reason: result.reason, err: result.error.message, failures: t.failures, untold: t.untold },
              'upstream request failed',
            );
          }
          sendUpstreamError(res, result.reason, target.name, plan.route);
        }
      } else {
        status = result.status;
        if (episodes.anyOpen) {
          const ended = episodes.succeeded(episodeKey(plan.route, target), Date.now());
          if (ended) logger.info({ route: plan.route, target: target.name, failures: ended.failures, ms: ended.ms }, `${target.name} answers again after ${ended.failures} failed requests`);
        }
      }
      session?.primaryDone(result.kind === 'responded' && !fellBack, performance.now() - started);
      if (onExchange) {
        onExchange({
          route: plan.route,
          mode: plan.mode,
          method,
          url: req.url ?? '/',
          target: target.name,
          // The target's status only when its answer had begun; the 502/504 the proxy wrote itself is no answer from the target.
          status: result.kind === 'failed' ? (result.headersSent ? res.statusCode : 0) : status,
          error,
          fellBack,
          startedAt,
          durationMs: performance.now() - started,
          bytesIn: socket.bytesRead - read0,
          bytesOut: socket.bytesWritten - written0,
          copy: refused,
        });
      }
    };

    const outgoing = (target: Target, body: Readable | Buffer | null): Outgoing => {
      const r = state.table.rules;
      return {
        method,
        // The raw path the request view already cut out of the target: forwarded as sent.
        path: view.rawPath,
        headers: upstreamRequestHeaders(req.rawHeaders, {
          clientIp: req.socket.remoteAddress ?? '',
          proto: 'http',
          forwarded: r.forwarded,
          via: r.via,
          hostHeader: target.hostHeader,
          targetHost: target.targetHost,
        }),
        body,
        cancel,
      };
    };

    const run = (p: Plan, body: Readable | Buffer | null, replayable: boolean) => {
      const fallback = replayable ? p.fallback : null;
      forward(p.primary, outgoing(p.primary, body), res, fallback ? divertForFallback : null, (result) => {
        const retry =
          fallback !== null &&
          !cancel.cancelled &&
          (result.kind === 'diverted' || (result.kind === 'failed' && mayRetryElsewhere(result.reason) && !result.headersSent));
        if (!retry) {
          finish(p.primary, result, false);
          return;
        }
        // A service that is down fails over every request: like a failed target, the log hears of it once per episode.
        const status = result.kind === 'diverted' ? result.status : undefined;
        const reason = result.kind === 'failed' ? result.reason : undefined;
        const t = episodes.failed(episodeKey(p.route, p.primary), reason ?? `status ${status}`, Date.now());
        if (t.tell) logger.warn({ route: p.route, from: p.primary.name, status, reason, url: req.url, failures: t.failures, untold: t.untold }, 'falling back to legacy');
        forward(fallback, outgoing(fallback, body), res, null, (second) => finish(fallback, second, true));
      }, session?.sink ?? null);
    };

    if (!withBody) {
      session?.requestDone();
      run(plan, null, true);
      return;
    }
    const length = Number(req.headers['content-length']);
    if (plan.fallback && req.headers['transfer-encoding'] === undefined && length <= FALLBACK_BODY_LIMIT) {
      // A fallback may have to send the body a second time, so it is read first.
      readAll(req).then(
        (body) => {
          session?.requestBody?.push(body);
          session?.requestDone();
          run(plan, body, true);
        },
        () => {
          cancelExchange(cancel);
          // The client went away before its body was in: the copy will never go, so its admitted slot is given back.
          session?.primaryDone(false, performance.now() - started);
        },
      );
      return;
    }
    if (session) {
      // The copy's body is captured as it streams past, never by holding the original back.
      req.on('data', (chunk: Buffer) => session.requestBody?.push(chunk));
      req.on('end', () => session.requestDone());
    }
    // Through a PassThrough so that a failed upstream does not destroy the client's socket before the 502 is written.
    run(plan, req.pipe(new PassThrough()), false);
  };
}
