/**
 * Header rewriting at the proxy boundary. Everything else passes as sent:
 * the order, duplicates, the case of names and values.
 *
 * RFC 9110 §7.6.1: hop-by-hop fields (and any named in Connection) are not
 * forwarded. §7.6.3: a gateway adds Via to the requests it forwards.
 */
const HOP_BY_HOP = new Set([
    'connection',
    'keep-alive',
    'proxy-connection',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
]);
/** The Connection values nearly every message carries, which name no other header: no need to split them. */
const PLAIN_CONNECTION = /^(?:keep-alive|close)$/i;
function connectionTokens(raw) {
    let tokens = null;
    for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i];
        if (name.length === 10 && name.toLowerCase() === 'connection') {
            const value = raw[i + 1];
            if (PLAIN_CONNECTION.test(value))
                continue;
            for (const t of value.split(',')) {
                const token = t.trim().toLowerCase();
                if (token && token !== 'close' && token !== 'keep-alive')
                    (tokens ??= new Set()).add(token);
            }
        }
    }
    return tokens;
}
/**
 * Raw request headers (Node's `rawHeaders`) → the headers sent upstream.
 * `Expect` is dropped too: Node has already answered `100 Continue` to the
 * client, and the upstream gets the body without waiting.
 */
export function upstreamRequestHeaders(raw, o) {
    const named = connectionTokens(raw);
    const out = [];
    let xff;
    let xfp;
    let xfh;
    let via;
    let host;
    let sawLength = false;
    for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i];
        const value = raw[i + 1];
        const lower = name.toLowerCase();
        if (HOP_BY_HOP.has(lower) || lower === 'expect' || (named !== null && named.has(lower)))
            continue;
        switch (lower) {
            case 'host':
                host ??= value;
                continue;
            case 'content-length':
                // Node refuses differing duplicates; identical ones are sent once.
                if (sawLength)
                    continue;
                sawLength = true;
                break;
            case 'x-forwarded-for':
                if (o.forwarded !== 'off') {
                    xff = xff === undefined ? value : `${xff}, ${value}`;
                    continue;
                }
                break;
            case 'x-forwarded-proto':
                if (o.forwarded !== 'off') {
                    xfp = xfp === undefined ? value : `${xfp}, ${value}`;
                    continue;
                }
                break;
            case 'x-forwarded-host':
                if (o.forwarded !== 'off') {
                    xfh = xfh === undefined ? value : `${xfh}, ${value}`;
                    continue;
                }
                break;
            case 'via':
                if (o.via !== false) {
                    via = via === undefined ? value : `${via}, ${value}`;
                    continue;
                }
                break;
        }
        out.push(name, value);
    }
    const outHost = o.hostHeader === 'keep' ? host ?? o.targetHost : o.hostHeader === 'target' ? o.targetHost : o.hostHeader;
    out.push('host', outHost);
    if (o.forwarded !== 'off') {
        const append = o.forwarded === 'append';
        out.push('x-forwarded-for', append && xff ? `${xff}, ${o.clientIp}` : o.clientIp);
        out.push('x-forwarded-proto', append && xfp ? `${xfp}, ${o.proto}` : o.proto);
        if (host !== undefined)
            out.push('x-forwarded-host', append && xfh ? `${xfh}, ${host}` : host);
    }
    if (o.via !== false)
        out.push('via', via ? `${via}, ${o.via}` : o.via);
    return out;
}
/** Raw upstream response headers → the headers sent to the client. */
export function downstreamResponseHeaders(raw) {
    const named = connectionTokens(raw);
    const out = [];
    for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i];
        const lower = name.toLowerCase();
        if (HOP_BY_HOP.has(lower) || (named !== null && named.has(lower)))
            continue;
        out.push(name, raw[i + 1]);
    }
    return out;
}
//# sourceMappingURL=headers.js.map