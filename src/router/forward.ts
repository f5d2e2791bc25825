import type { ServerResponse } from 'node:http';
import { Writable, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { downstreamResponseHeaders } from './headers.js';
import { failReason, type FailReason } from './upstream-error.js';
import type { Target } from './targets.js';

/**
 * One forward on undici's `Pool.stream`: the upstream body is written
 * straight into the client's response, no intermediate stream.
 */

export interface Outgoing {
  method: string;
  /** Raw path and query, as the client sent them. */
  path: string;
  headers: string[];
  body: Readable | Buffer | null;
  signal: AbortSignal;
}

export type ForwardResult =
  | { kind: 'responded'; status: number }
  /** The status was one the caller chose to divert (for fallback); nothing reached the client. */
  | { kind: 'diverted'; status: number }
  | { kind: 'failed'; reason: FailReason; error: Error; headersSent: boolean };

/** Characters Node accepts in a reason phrase; others fall back to the standard phrase. */
const VALID_REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Pool.stream's factory is not told the reason phrase; a dispatch handler's
 * onHeaders is (its fourth argument). This goes through the pool and notes
 * the phrase of the final response, so `299 Totally Custom` stays as sent.
 */
function notingReason(pool: Dispatcher, seen: { reason: string | undefined }): Dispatcher {
  const via: Dispatcher = Object.create(pool);
  via.dispatch = (opts, handler) => {
    const onHeaders = handler.onHeaders;
    if (onHeaders) {
      handler.onHeaders = function (this: unknown, statusCode, headers, resume, statusText) {
        if (statusCode >= 200) seen.reason = statusText;
        return onHeaders.call(this, statusCode, headers, resume, statusText);
      };
    }
    return pool.dispatch(opts, handler);
  };
  return via;
}

const discard = () =>
  new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });

export function forward(
  target: Target,
  out: Outgoing,
  res: ServerResponse,
  divert: ((status: number) => boolean) | null,
  done: (result: ForwardResult) => void,
): void {
  let status = 0;
  let diverted = false;
  const seen: { reason: string | undefined } = { reason: undefined };
  const opts: Dispatcher.RequestOptions = {
    path: target.basePath ? target.basePath + out.path : out.path,
    method: out.method as Dispatcher.HttpMethod,
    headers: out.headers,
    body: out.body,
    signal: out.signal,
    responseHeaders: 'raw',
  };
  notingReason(target.pool, seen).stream(
    opts,
    ({ statusCode, headers }) => {
      status = statusCode;
      if (divert !== null && divert(statusCode)) {
        diverted = true;
        return discard();
      }
      const reason = seen.reason !== undefined && VALID_REASON.test(seen.reason) ? seen.reason : undefined;
      if (reason !== undefined) res.statusMessage = reason;
      res.writeHead(statusCode, downstreamResponseHeaders(headers as unknown as string[]));
      return res;
    },
    (err) => {
      if (err) done({ kind: 'failed', reason: failReason(err), error: err, headersSent: res.headersSent });
      else done(diverted ? { kind: 'diverted', status } : { kind: 'responded', status });
    },
  );
}
