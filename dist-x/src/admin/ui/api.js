/**
 * The admin API from the browser: every call carries the bearer token.
 * The token lives in sessionStorage, so it is gone when the tab closes
 * and is never written to disk as a cookie or localStorage would be.
 */
const TOKEN = 'strangler.token';
const AUTHOR = 'strangler.author';
export const session = {
    token: () => sessionStorage.getItem(TOKEN),
    author: () => sessionStorage.getItem(AUTHOR) ?? '',
    signIn(token, author) {
        sessionStorage.setItem(TOKEN, token);
        if (author)
            sessionStorage.setItem(AUTHOR, author);
        else
            sessionStorage.removeItem(AUTHOR);
    },
    signOut() {
        sessionStorage.removeItem(TOKEN);
    },
};
/** A non-2xx answer: its status and its JSON body (`{ error, errors? }`, and more for a guard refusal). */
export class ApiError extends Error {
    status;
    body;
    constructor(status, body) {
        const fields = body.errors?.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
        super(`${body.error ?? `HTTP ${status}`}${fields ? ` (${fields})` : ''}`);
        this.status = status;
        this.body = body;
    }
}
/** Called when the token is refused, so that the page can ask for it again. */
let onUnauthorized = () => { };
export const whenUnauthorized = (f) => {
    onUnauthorized = f;
};
export async function api(method, path, body, token = session.token()) {
    const headers = { authorization: `Bearer ${token ?? ''}`, accept: 'application/json' };
    // The history shows who made a change: the name given at sign-in, else the API's default.
    const author = session.author();
    if (author)
        headers['x-strangler-author'] = author;
    if (body !== undefined)
        headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    const text = await res.text();
    let parsed;
    try {
        parsed = text ? JSON.parse(text) : {};
    }
    catch {
        parsed = { error: text.slice(0, 200) };
    }
    if (!res.ok) {
        if (res.status === 401 && token === session.token())
            onUnauthorized();
        throw new ApiError(res.status, parsed);
    }
    return parsed;
}
export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
//# sourceMappingURL=api.js.map