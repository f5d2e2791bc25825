import { REDACTED } from '../shadow/redact.js';

/**
 * "Copy as curl": a stored sample's request as a command that replays it
 * against legacy or a service. The sample was redacted before it was
 * stored, so the command carries `[redacted]` where a secret was, and says
 * so in a comment line: it never pretends to be the original request.
 */

export interface SampleRequest {
  method: string;
  /** Raw path and query, as the client sent them. */
  url: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: string | null;
  truncated?: boolean;
  redacted?: boolean;
  encoding?: 'text' | 'base64';
}

export interface CurlCommand {
  command: string;
  /** Some value in it is `[redacted]`, not the original. */
  redacted: boolean;
  /** The body was cut when the sample was stored. */
  truncated: boolean;
}

/** Headers curl writes itself or that only mean something on the original connection. */
const LEFT_OUT = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'upgrade', 'content-length', 'trailer']);

/** POSIX shell single-quoting: safe for any byte string, newlines included. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand(req: SampleRequest, baseUrl: string): CurlCommand {
  const base = baseUrl.replace(/\/+$/, '');
  // --path-as-is and --globoff: the path goes out byte for byte, `//`, dot segments and brackets included.
  const args = ['curl', '--path-as-is', '--globoff', '--silent', '--show-error', '--include'];
  if (req.method === 'HEAD') args.push('--head');
  else if (req.method !== 'GET' || req.body) args.push('--request', req.method);
  let redacted = req.redacted === true || req.url.includes(REDACTED);
  for (const [name, value] of req.headers) {
    if (LEFT_OUT.has(name.toLowerCase())) continue;
    if (value.includes(REDACTED)) redacted = true;
    args.push('--header', `${name}: ${value}`);
  }
  let stdin: string | null = null;
  if (req.body !== null && req.body !== '') {
    if (req.encoding === 'base64') {
      stdin = `printf %s ${shellQuote(req.body)} | base64 -d | `;
      args.push('--data-binary', '@-');
    } else {
      args.push('--data-binary', req.body);
    }
  }
  args.push(`${base}${req.url.startsWith('/') ? '' : '/'}${req.url}`);
  const notes: string[] = [];
  if (redacted) notes.push(`# values shown as ${REDACTED} were removed before the sample was stored: put the real ones in before running`);
  if (req.truncated) notes.push('# the body was cut when the sample was stored: this sends the stored part only');
  const line = (stdin ?? '') + args.map(shellQuote).join(' ');
  return { command: [...notes, line].join('\n'), redacted, truncated: req.truncated === true };
}
