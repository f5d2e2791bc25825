import type { SampleRequest } from './curl.js';
import type { SampleDifference, SampleResponse, SideBySideSample } from './side-by-side.js';

/**
 * A stored sample (`GET /api/samples/:id`, or the samples table) as the
 * parts the renderers take: its request for curl, its two responses for
 * the side-by-side view. The sample arrives as JSON from a file or over
 * the network, so every field is checked; what does not look like a
 * sample is undefined, never half rendered. No Node or DOM APIs: the
 * dashboard can use it in the browser.
 */

export interface StoredSampleLike {
  id: number;
  at?: string;
  outcome?: string;
  target: string;
  request: unknown;
  legacy: unknown;
  other: unknown;
  differences: unknown;
}

export interface SampleParts {
  request: SampleRequest;
  sideBySide: SideBySideSample;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function headerPairs(v: unknown): Array<[string, string]> | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Array<[string, string]> = [];
  for (const p of v) {
    if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'string') return undefined;
    out.push([p[0], p[1]]);
  }
  return out;
}

const bodyOf = (v: Obj): string | null | undefined => (v.body === null || v.body === undefined ? null : typeof v.body === 'string' ? v.body : undefined);
const encodingOf = (v: Obj): 'text' | 'base64' => (v.encoding === 'base64' ? 'base64' : 'text');

function response(v: unknown): SampleResponse | undefined {
  if (!isObj(v) || typeof v.status !== 'number') return undefined;
  const headers = headerPairs(v.headers ?? []);
  const body = bodyOf(v);
  if (!headers || body === undefined) return undefined;
  return { status: v.status, headers, body, encoding: encodingOf(v), truncated: v.truncated === true };
}

function request(v: unknown): SampleRequest | undefined {
  if (!isObj(v) || typeof v.method !== 'string' || typeof v.url !== 'string') return undefined;
  const headers = headerPairs(v.headers ?? []);
  const body = bodyOf(v);
  if (!headers || body === undefined) return undefined;
  return { method: v.method, url: v.url, headers, body, encoding: encodingOf(v), truncated: v.truncated === true, redacted: v.redacted === true };
}

function differences(v: unknown): SampleDifference[] {
  if (!Array.isArray(v)) return [];
  return v.filter((d): d is SampleDifference => isObj(d) && typeof d.path === 'string' && typeof d.kind === 'string').map((d) => ({ path: d.path, kind: d.kind }));
}

export function sampleParts(s: StoredSampleLike): SampleParts | undefined {
  const req = request(s.request);
  const legacy = response(s.legacy);
  const other = response(s.other);
  if (!req || !legacy || !other) return undefined;
  return { request: req, sideBySide: { target: s.target, legacy, other, differences: differences(s.differences) } };
}
