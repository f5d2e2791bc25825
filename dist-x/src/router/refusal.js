/**
 * - HTTP/1.1 without Host (RFC 9112 §3.2). Node can answer this itself, but
 *   then goes on to read the requests pipelined behind it; here the
 *   connection is closed instead.
 * - A transfer coding other than `chunked` (RFC 9112 §6.1: 501). Transfer
 *   codings are hop-by-hop: the proxy de-chunks and re-frames the body, so
 *   a `gzip` under the chunking would be dropped with it and the upstream
 *   would get compressed bytes labelled as plain ones.
 */
export function framingRefusal(req) {
    const te = req.headers['transfer-encoding'];
    if (te !== undefined && !/^[ \t]*chunked[ \t]*$/i.test(te)) {
        return { status: 501, reason: 'transfer-coding', message: `Transfer-Encoding "${te}" is not supported: send the body chunked, or with Content-Length` };
    }
    if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
        return { status: 400, reason: 'no-host', message: 'an HTTP/1.1 request needs a Host header' };
    }
    return null;
}
/**
 * A path that a server behind the proxy could read as another destination
 * than the proxy does (`/admin/%2e%2e/public`, `/ADMIN/x`, `/admin%2Fx`…):
 * forwarding it would let the spelling, not the rules, decide who answers.
 */
export function ambiguousPath(rawPath, matched, m) {
    const as = (route) => (route === null ? 'no route (legacy)' : `route "${route}"`);
    return {
        status: 400,
        reason: 'ambiguous-path',
        message: `the path ${JSON.stringify(rawPath)} is ${as(matched)} as the proxy reads it, but ${as(m.route)} read ${m.how}, as some servers do; send it in its plain form`,
    };
}
/** Connections that got a refusal: whatever was pipelined behind it is never read as a request. */
const closing = new WeakSet();
export function closingAfterRefusal(socket) {
    return closing.has(socket);
}
/** For answers written straight to the socket (parser errors, timeouts): the first one stands, later errors on it are not answered again. */
export function markClosing(socket) {
    closing.add(socket);
}
/**
 * Answers a refusal and closes the connection after it (RFC 9112 §9.6: no
 * further request on it is processed), so the bytes after a request that
 * could not be framed or read safely are never taken for a request.
 */
export function sendRefusal(req, res, r) {
    closing.add(req.socket);
    const body = JSON.stringify({ error: r.status === 501 ? 'not_implemented' : 'bad_request', reason: r.reason, message: r.message });
    res.shouldKeepAlive = false;
    res.writeHead(r.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
        'x-strangler-error': r.reason,
        connection: 'close',
    });
    res.end(body);
}
//# sourceMappingURL=refusal.js.map