/**
 * The admin API from the browser: every call carries the bearer token.
 * The token lives in sessionStorage, so it is gone when the tab closes
 * and is never written to disk as a cookie or localStorage would be.
 */

const TOKEN = 'strangler.token';
const AUTHOR = 'strangler.author';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN),
  author: (): string => sessionStorage.getItem(AUTHOR) ?? '',
  signIn(token: string, author: string): void {
    sessionStorage.setItem(TOKEN, token);
    if (author) sessionStorage.setItem(AUTHOR, author);
    else sessionStorage.removeItem(AUTHOR);
  },
  signOut(): void {
    sessionStorage.removeItem(TOKEN);
  },
};

export interface FieldError {
  path: string;
  message: string;
}

/** A non-2xx answer: its status and its JSON body (`{ error, errors? }`, and more for a guard refusal). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; errors?: FieldError[] } & Record<string, unknown>,
  ) {
    const fields = body.errors?.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
    super(`${body.error ?? `HTTP ${status}`}${fields ? ` (${fields})` : ''}`);
  }
}

/** Called when the token is refused, so that the page can ask for it again. */
let onUnauthorized: () => void = () => {};
export const whenUnauthorized = (f: () => void) => {
  onUnauthorized = f;
};

export async function api<T>(method: string, path: string, body?: unknown, token = session.token()): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token ?? ''}`, accept: 'application/json' };
  // The history shows who made a change: the name given at sign-in, else the API's default.
  const author = session.author();
  if (author) headers['x-strangler-author'] = author;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  if (!res.ok) {
    if (res.status === 401 && token === session.token()) onUnauthorized();
    throw new ApiError(res.status, parsed as ApiError['body']);
  }
  return parsed as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown) => api<T>('POST', path, body);
