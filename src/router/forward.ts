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
  const opts: Dispatcher.RequestOptions = {
    path: target.basePath ? target.basePath + out.path : out.path,
    method: out.method as Dispatcher.HttpMethod,
    headers: out.headers,
    body: out.body,
    signal: out.signal,
    responseHeaders: 'raw',
  };
  target.pool.stream(
    opts,
    ({ statusCode, headers }) => {
      status = statusCode;
      if (divert !== null && divert(statusCode)) {
        diverted = true;
        return discard();
      }
      res.writeHead(statusCode, downstreamResponseHeaders(headers as unknown as string[]));
      return res;
    },
    (err) => {
      if (err) done({ kind: 'failed', reason: failReason(err), error: err, headersSent: res.headersSent });
      else done(diverted ? { kind: 'diverted', status } : { kind: 'responded', status });
    },
  );
}
