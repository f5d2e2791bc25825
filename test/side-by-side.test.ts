import { describe, expect, it } from 'vitest';
import { sampleParts } from '../src/report/sample-parts.js';
import { escapeHtml, sideBySideHtml, type SampleResponse, type SideBySideSample } from '../src/report/side-by-side.js';
import { SAMPLES } from './fixtures/report-document.js';

/**
 * The side-by-side view of a sample's two responses, as a pure function:
 * which nodes are marked on which side, that every value is escaped, and
 * how bodies that are not JSON show. (The HTML report's browser test
 * checks the same marks in a real DOM.)
 */

const res = (body: unknown, o: Partial<SampleResponse> = {}): SampleResponse => ({
  status: 200,
  headers: [['content-type', 'application/json']],
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...o,
});

const view = (s: Partial<SideBySideSample> & Pick<SideBySideSample, 'legacy' | 'other'>) => sideBySideHtml({ target: 'orders', differences: [], ...s });

/** The legacy and the service halves of the fragment. */
function sides(html: string): { legacy: string; other: string } {
  const [, legacy, other] = /^<div class="sbs">(<section class="sbs-side" data-side="legacy">.*?<\/section>)(<section class="sbs-side" data-side="other">.*<\/section>)<\/div>$/s.exec(html) ?? [];
  expect(legacy, html).toBeDefined();
  return { legacy: legacy!, other: other! };
}

const marked = (html: string) => [...html.matchAll(/<mark class="diff diff-(\w+)" data-path="([^"]*)"/g)].map((m) => `${m[2]} ${m[1]}`);

describe('sideBySideHtml', () => {
  it('pretty-prints both JSON bodies and marks a changed member on both sides, with its name', () => {
    const html = view({ legacy: res({ id: 7, total: 100 }), other: res({ id: 7, total: 99 }), differences: [{ path: '$.total', kind: 'changed' }] });
    const { legacy, other } = sides(html);
    expect(marked(legacy)).toEqual(['$.total changed']);
    expect(marked(other)).toEqual(['$.total changed']);
    expect(legacy).toMatch(/<mark [^>]*data-path="\$\.total"[^>]*><span class="json-key">&quot;total&quot;<\/span>: <span class="json-number">100<\/span><\/mark>/);
    expect(other).toContain('<span class="json-number">99</span>');
    // Indented, one member per line.
    expect(legacy).toContain('{\n  <span class="json-key">&quot;id&quot;</span>: <span class="json-number">7</span>,\n  ');
  });

  it('marks a missing member on legacy only and an extra one on the service only', () => {
    const html = view({
      legacy: res({ a: 1, gone: true }),
      other: res({ a: 1, added: [1] }),
      differences: [
        { path: '$.gone', kind: 'missing' },
        { path: '$.added', kind: 'extra' },
      ],
    });
    const { legacy, other } = sides(html);
    expect(marked(legacy)).toEqual(['$.gone missing']);
    expect(marked(other)).toEqual(['$.added extra']);
  });

  it('marks array elements, the status and headers by their paths', () => {
    const html = view({
      legacy: res({ items: [{ price: 1 }, { price: 2 }] }, { status: 200, headers: [['Content-Type', 'application/json'], ['X-Served-By', 'legacy']] }),
      other: res({ items: [{ price: 1 }, { price: 3 }] }, { status: 500, headers: [['Content-Type', 'application/json'], ['X-Served-By', 'orders']] }),
      differences: [
        { path: '$.items[1].price', kind: 'changed' },
        { path: 'status', kind: 'changed' },
        { path: 'header:x-served-by', kind: 'changed' },
      ],
    });
    const { legacy, other } = sides(html);
    for (const side of [legacy, other]) expect(marked(side).sort()).toEqual(['$.items[1].price changed', 'header:x-served-by changed', 'status changed']);
    expect(other).toMatch(/<span class="status"><mark [^>]*data-path="status"[^>]*>500<\/mark><\/span>/);
    expect(legacy).not.toContain('data-path="$.items[0].price"');
  });

  it('escapes every value from the sample: keys, strings, headers and text bodies', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const html = view({
      legacy: res({ [evil]: evil }, { headers: [['X-Evil', evil]] }),
      other: res(`not json ${evil}`, { headers: [['content-type', 'text/html']] }),
      differences: [{ path: 'body', kind: 'changed' }],
      target: `svc"${evil}`,
    });
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(evil));
    const { other } = sides(html);
    expect(marked(other)).toEqual(['body changed']);
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('says what a side has instead of a JSON body: nothing, binary, cut', () => {
    const html = view({
      legacy: res(null, { body: null }),
      other: res('AAEC', { encoding: 'base64', truncated: true }),
      differences: [{ path: 'body', kind: 'changed' }],
    });
    const { legacy, other } = sides(html);
    expect(legacy).toContain('<span class="empty">(no body)</span>');
    expect(other).toMatch(/<mark [^>]*data-path="body"[^>]*><span class="binary">binary body, 4 base64 characters<\/span><\/mark>/);
    expect(other).toContain('(cut when stored)');
  });
});

describe('sampleParts', () => {
  it('turns a stored sample into a request for curl and a side-by-side sample', () => {
    const parts = sampleParts(SAMPLES.get(12)!)!;
    expect(parts.request).toMatchObject({ method: 'GET', url: '/api/orders/7?expand=lines', body: null });
    expect(parts.sideBySide.target).toBe('orders');
    expect(parts.sideBySide.differences).toEqual([
      { path: '$.total', kind: 'changed' },
      { path: '$.generatedAt', kind: 'changed' },
    ]);
  });

  it('refuses what does not look like a sample rather than render half of it', () => {
    const s = SAMPLES.get(12)!;
    expect(sampleParts({ ...s, request: { method: 'GET' } })).toBeUndefined();
    expect(sampleParts({ ...s, legacy: { status: '200', headers: [] } })).toBeUndefined();
    expect(sampleParts({ ...s, other: { status: 200, headers: [['a', 1]], body: null } })).toBeUndefined();
    // Differences that are not { path, kind } are left out, not fatal.
    expect(sampleParts({ ...s, differences: [{ path: '$.a', kind: 'changed' }, 'junk', { path: 1 }] })!.sideBySide.differences).toEqual([{ path: '$.a', kind: 'changed' }]);
  });
});
