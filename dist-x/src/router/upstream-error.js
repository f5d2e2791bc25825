const BY_CODE = {
    ECONNREFUSED: 'refused',
    UND_ERR_CONNECT_TIMEOUT: 'unreachable',
    ENOTFOUND: 'unreachable',
    EAI_AGAIN: 'unreachable',
    EHOSTUNREACH: 'unreachable',
    ENETUNREACH: 'unreachable',
    EADDRNOTAVAIL: 'unreachable',
    UND_ERR_HEADERS_TIMEOUT: 'timeout',
    UND_ERR_BODY_TIMEOUT: 'timeout',
    ETIMEDOUT: 'timeout',
    UND_ERR_SOCKET: 'reset',
    ECONNRESET: 'reset',
    EPIPE: 'reset',
    UND_ERR_ABORTED: 'client-gone',
    ABORT_ERR: 'client-gone',
    UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'bad-response',
    UND_ERR_HEADERS_OVERFLOW: 'bad-response',
    UND_ERR_INVALID_ARG: 'bad-response',
    ERR_INVALID_CHAR: 'bad-response',
    ERR_HTTP_INVALID_HEADER_VALUE: 'bad-response',
    ERR_INVALID_HTTP_TOKEN: 'bad-response',
};
export function failReason(err) {
    const e = err;
    // A DOMException (the AbortError of an aborted signal) has a numeric code.
    const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : '';
    // undici's HTTPParserError often carries no code (its code lookup misses), so its name decides.
    if (code.startsWith('HPE_') || e?.name === 'HTTPParserError')
        return 'bad-response';
    return BY_CODE[code] ?? (e?.name === 'AbortError' ? 'client-gone' : 'error');
}
/**
 * True when a fallback may answer instead. Refused and unreachable mean the
 * request never reached the target. A reset before any answer is included
 * because fallback only ever applies to idempotent methods, and a kept-alive
 * connection that the service closed as it went down fails that way.
 */
export function mayRetryElsewhere(reason) {
    return reason === 'refused' || reason === 'unreachable' || reason === 'reset';
}
export function statusFor(reason) {
    return reason === 'timeout' ? 504 : 502;
}
const MESSAGES = {
    refused: 'the target refused the connection',
    unreachable: 'the target could not be reached',
    timeout: 'the target did not answer in time',
    reset: 'the target closed the connection before answering',
    'bad-response': 'the target sent a response that is not valid HTTP',
    'client-gone': 'the client went away',
    error: 'the request to the target failed',
};
/**
 * A small JSON answer naming the target by name, never by address. When
 * the response has already begun, the only honest signal left is to cut
 * the connection, so the client sees a truncated response, not a clean one.
 */
export function sendUpstreamError(res, reason, target, route) {
    if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
    }
    const status = statusFor(reason);
    const body = JSON.stringify({
        error: status === 504 ? 'gateway_timeout' : 'bad_gateway',
        reason,
        target,
        route,
        message: `${MESSAGES[reason]} (${target})`,
    });
    res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
        'x-strangler-error': reason,
    });
    res.end(body);
}
//# sourceMappingURL=upstream-error.js.map