import http from 'node:http';
import https from 'node:https';
import { CliError } from './cli-error.js';
const TIMEOUT_MS = 10_000;
const CONNECT_ERRORS = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: `no answer within ${TIMEOUT_MS / 1000}s`,
    EPROTO: 'TLS handshake failed',
    ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed; is it http:// rather than https://?',
};
/** `http://127.0.0.1:8081/` → `http://127.0.0.1:8081`; anything that is not an http(s) URL is refused. */
export function adminBaseUrl(value, from) {
    let url;
    try {
        url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    }
    catch {
        throw new CliError(`${from} "${value}" is not a URL such as http://127.0.0.1:8081`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new CliError(`${from} "${value}" is not an http:// or https:// URL`);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
const issueText = (i) => `${i.path ? `${i.path}: ` : ''}${i.message}`;
/** One issue joins the line it explains; several go one per line under it. */
export function issueLines(issues) {
    if (!issues?.length)
        return '';
    if (issues.length === 1)
        return `: ${issueText(issues[0])}`;
    return issues.map((i) => `\n  ${issueText(i)}`).join('');
}
/**
 * One request with node:http: a command makes a handful of calls, and
 * the core client starts faster than any library (the CLI's start-up is
 * most of its run time). No keep-alive, so the process exits at once.
 */
function exchange(method, url, headers, body) {
    return new Promise((resolve, reject) => {
        const client = url.startsWith('https:') ? https : http;
        const req = client.request(url, { method, agent: false, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        });
        req.setTimeout(TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
        req.on('error', reject);
        req.end(body);
    });
}
export class AdminClient {
    url;
    token;
    author;
    constructor(url, token, author) {
        this.url = url;
        this.token = token;
        this.author = author;
    }
    /** `looksRight` tells the admin API's answer from another JSON server's, such as the data plane's legacy behind --admin. */
    async get(path, looksRight = () => true) {
        const { body } = await this.call('GET', path);
        if (!looksRight(body))
            throw new CliError(this.notAdmin(`GET ${path.split('?')[0]} answered JSON that is not the admin API's`));
        return body;
    }
    /** Like get, but a 404 that `isNotFound` recognises is an answer: undefined. */
    async find(path, looksRight, isNotFound) {
        const { status, body } = await this.call('GET', path, undefined, [404]);
        if (status === 404 && isNotFound(body))
            return undefined;
        if (status === 404 || !looksRight(body))
            throw new CliError(this.notAdmin(`GET ${path.split('?')[0]} answered JSON that is not the admin API's`));
        return body;
    }
    notAdmin(what) {
        return `${this.url}: ${what}; is --admin the strangler admin address (admin.listen), not the proxy's or an upstream's?`;
    }
    async send(method, path, body, handle = []) {
        return this.call(method, path, body, handle);
    }
    /** 2xx and the statuses in `handle` are returned; every other outcome throws a CliError. */
    async call(method, path, body, handle = []) {
        const headers = { accept: 'application/json', 'x-strangler-author': this.author, 'x-strangler-client': 'cli' };
        if (this.token)
            headers.authorization = `Bearer ${this.token}`;
        if (body !== undefined)
            headers['content-type'] = 'application/json';
        let res;
        try {
            res = await exchange(method, this.url + path, headers, body === undefined ? undefined : JSON.stringify(body));
        }
        catch (err) {
            const e = err;
            const why = CONNECT_ERRORS[e.code ?? ''] ?? e.message;
            throw new CliError(`cannot reach the admin API at ${this.url} (${why}); is the proxy running? use --db FILE for read-only commands`);
        }
        const { text, type } = res;
        let parsed;
        if (type.includes('json')) {
            try {
                parsed = JSON.parse(text);
            }
            catch {
                parsed = undefined;
            }
        }
        if (parsed === undefined) {
            throw new CliError(this.notAdmin(`${method} ${path.split('?')[0]} answered ${res.statusCode} ${type || 'with no content type'}, not JSON`));
        }
        const status = res.statusCode;
        if ((status >= 200 && status < 300) || handle.includes(status))
            return { status, body: parsed };
        const b = (parsed ?? {});
        if (status === 401) {
            throw new CliError(this.token
                ? `the admin API at ${this.url} refused the token (401 unauthorized); check --token or STRANGLER_ADMIN_TOKEN against admin.token`
                : `the admin API at ${this.url} needs a token (401 unauthorized); pass --token or set STRANGLER_ADMIN_TOKEN`);
        }
        if (status >= 500)
            throw new CliError(`the admin API at ${this.url} failed on ${method} ${path} (${status} ${b.error ?? ''}); see the proxy's log`.replace(' )', ')'));
        throw new CliError(`${b.error ?? b.message ?? `${method} ${path} answered ${status}`}${issueLines(b.errors)}`);
    }
}
//# sourceMappingURL=admin-client.js.map