import { REDACTED } from '../shadow/redact.js';
/** Headers curl writes itself or that only mean something on the original connection. */
const LEFT_OUT = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'upgrade', 'content-length', 'trailer']);
/** POSIX shell single-quoting: safe for any byte string, newlines included. */
export function shellQuote(s) {
    return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
/** The request's headers say it carried a body. */
function sentBody(headers) {
    for (const [name, value] of headers) {
        const lower = name.toLowerCase();
        if (lower === 'transfer-encoding' || (lower === 'content-length' && Number(value) > 0))
            return true;
    }
    return false;
}
export function curlCommand(req, baseUrl) {
    const base = baseUrl.replace(/\/+$/, '');
    // --path-as-is and --globoff: the path goes out byte for byte, `//`, dot segments and brackets included.
    const args = ['curl', '--path-as-is', '--globoff', '--silent', '--show-error', '--include'];
    const body = req.body ?? '';
    const hasBody = body !== '';
    if (req.method === 'HEAD')
        args.push('--head');
    else if (req.method !== 'GET' || hasBody)
        args.push('--request', req.method);
    let redacted = req.redacted === true || req.url.includes(REDACTED);
    const notes = [];
    for (const [name, value] of req.headers) {
        const lower = name.toLowerCase();
        if (LEFT_OUT.has(lower))
            continue;
        // The body was stored with its coding undone: sent as stored, it must not claim to be gzip.
        if (lower === 'content-encoding' && hasBody)
            continue;
        if (value.includes(REDACTED))
            redacted = true;
        args.push('--header', `${name}: ${value}`);
    }
    // The client asked for a coded answer and sends that header as it did; --compressed has curl decode what comes back, so it prints as text.
    if (req.headers.some(([name]) => name.toLowerCase() === 'accept-encoding'))
        args.push('--compressed');
    if (!hasBody && sentBody(req.headers))
        notes.push('# the request had a body that was not stored (over the capture limit): this sends none');
    let stdin = null;
    if (hasBody) {
        if (req.encoding === 'base64') {
            stdin = `printf %s ${shellQuote(body)} | base64 -d | `;
            args.push('--data-binary', '@-');
        }
        else {
            // --data-raw: a body that starts with @ is data, not a file name.
            args.push('--data-raw', body);
        }
    }
    args.push(`${base}${req.url.startsWith('/') ? '' : '/'}${req.url}`);
    if (redacted)
        notes.unshift(`# values shown as ${REDACTED} were removed before the sample was stored: put the real ones in before running`);
    if (req.truncated)
        notes.push('# the body was cut when the sample was stored: this sends the stored part only');
    const line = (stdin ?? '') + args.map(shellQuote).join(' ');
    return { command: [...notes, line].join('\n'), redacted, truncated: req.truncated === true };
}
//# sourceMappingURL=curl.js.map