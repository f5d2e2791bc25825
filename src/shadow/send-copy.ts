import type { Dispatcher, Pool } from 'undici';
import { failReason } from '../router/upstream-error.js';
import { BodyCapture } from './body-capture.js';
import type { CapturedResponse, Outcome } from './types.js';

export interface CopyRequest {
  origin: string;
  path: string;
  method: string;
  headers: string[];
  body: Buffer | null;
  timeoutMs: number;
  maxBodyBytes: number;
}

/** `dropped-circuit` never comes from sendCopy: it is the result of a copy that waited in its lane when the lane's circuit opened. */
export type CopyResult =
  | { ok: true; response: CapturedResponse; ms: number }
  | { ok: false; outcome: Extract<Outcome, 'shadow-timeout' | 'shadow-refused' | 'shadow-reset' | 'too-large' | 'unparseable' | 'dropped-circuit'>; ms: number; error: string };

/**
 * Sends one shadow copy and reads its answer, bounded in time and size.
 * It never throws: whatever the other side does (refuse, hang, reset,
 * answer garbage or a huge body) becomes an outcome.
 */
export async function sendCopy(pool: Pool, r: CopyRequest): Promise<CopyResult> {
  const started = performance.now();
  const ac = new AbortController();
  // undici's own timers tick coarsely; this deadline covers the whole exchange, body included.
  const deadline = setTimeout(() => ac.abort(Object.assign(new Error('shadow deadline'), { code: 'UND_ERR_HEADERS_TIMEOUT' })), r.timeoutMs);
  try {
    const res = await pool.request({
      path: r.path,
      method: r.method as Dispatcher.HttpMethod,
      headers: r.headers,
      body: r.body,
      signal: ac.signal,
      headersTimeout: r.timeoutMs,
      bodyTimeout: r.timeoutMs,
      responseHeaders: 'raw',
    });
    const capture = new BodyCapture(r.maxBodyBytes);
    for await (const chunk of res.body) {
      capture.push(chunk as Buffer);
      if (capture.truncated) {
        res.body.destroy();
        return { ok: false, outcome: 'too-large', ms: performance.now() - started, error: `body over ${r.maxBodyBytes} bytes` };
      }
    }
    const raw = res.headers as unknown as Array<Buffer | string>;
    return {
      ok: true,
      ms: performance.now() - started,
      response: { status: res.statusCode, headers: raw.map((h) => (typeof h === 'string' ? h : h.toString('latin1'))), body: capture.body(), truncated: false },
    };
  } catch (err) {
    const reason = ac.signal.aborted ? 'timeout' : failReason(err);
    const outcome =
      reason === 'timeout'
        ? 'shadow-timeout'
        : reason === 'refused' || reason === 'unreachable'
          ? 'shadow-refused'
          : reason === 'bad-response'
            ? 'unparseable'
            : 'shadow-reset';
    return { ok: false, outcome, ms: performance.now() - started, error: (err as Error).message };
  } finally {
    clearTimeout(deadline);
  }
}
