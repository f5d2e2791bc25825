import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/render-html.js';
import { renderJunit } from '../src/report/render-junit.js';
import { LONG_PATH, REPORT, SAMPLES, TARGETS, WEIRD_PATH } from './fixtures/report-document.js';
import { launchChromium, openOffline, type OfflinePage } from './helpers/offline-page.js';

/**
 * The HTML report opened in a real browser, with the network blocked and
 * every request recorded, and read through the DOM: the page is one
 * self-contained file, shows every endpoint with its readiness, marks the
 * differing paths in each sample's side-by-side view, and carries the
 * curl commands. The JUnit output is parsed by the same browser's XML
 * parser.
 */

let browser: Browser;
let report: OfflinePage;

beforeAll(async () => {
  browser = await launchChromium();
  report = await openOffline(browser, renderHtml(REPORT, { samples: SAMPLES, targets: TARGETS, source: 'the database /tmp/strangler.db' }));
}, 60_000);
afterAll(async () => {
  await report?.close();
  await browser?.close();
});

/** The mark for `path` on one side of a sample, found by attribute value (no CSS escaping of paths). */
function markText(sample: number, side: 'legacy' | 'other', path: string) {
  return report.page.evaluate(
    ({ sample, side, path }) => {
      const marks = [...document.querySelectorAll(`#s${sample} .sbs-side[data-side="${side}"] mark.diff`)];
      const m = marks.find((x) => x.getAttribute('data-path') === path);
      return m ? m.textContent : null;
    },
    { sample, side, path },
  );
}

describe('the HTML report in a browser', () => {
  it('loads without a single network request and without errors', () => {
    expect(report.requests).toEqual([]);
    expect(report.errors).toEqual([]);
  });

  it('refers to nothing outside itself: no src, no link but in-page anchors, no stylesheet or script from elsewhere', async () => {
    const refs = await report.page.evaluate(() => ({
      src: [...document.querySelectorAll('[src]')].map((e) => e.getAttribute('src')),
      href: [...document.querySelectorAll('[href]')].map((e) => e.getAttribute('href')!).filter((h) => !h.startsWith('#')),
      links: document.querySelectorAll('link, iframe, img, object, embed, base').length,
      externalScripts: document.querySelectorAll('script[src]').length,
      styleUrls: [...document.querySelectorAll('style')].some((s) => /url\(|@import/.test(s.textContent ?? '')),
    }));
    expect(refs).toEqual({ src: [], href: [], links: 0, externalScripts: 0, styleUrls: false });
    // Every in-page anchor leads somewhere on the page (a missing sample is still shown as missing).
    const dangling = await report.page.evaluate(() =>
      [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href')!.slice(1)).filter((id) => !document.getElementById(id)),
    );
    expect(dangling).toEqual([]);
  });

  it('lists every endpoint in the table, and a section with its readiness badge for each one under comparison', async () => {
    const rows = await report.page.$$eval('table.endpoints tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-endpoint'), tr.querySelector('.badge')?.textContent]));
    expect(rows).toEqual(REPORT.endpoints.map((e) => [`${e.method} ${e.path}`, expect.any(String)]));
    const sections = await report.page.$$eval('section.endpoint', (ss) => ss.map((s) => [s.getAttribute('data-endpoint'), s.querySelector('h2 .badge')?.textContent, s.getAttribute('data-readiness')]));
    expect(sections).toEqual([
      ['GET /api/orders/{id}', 'not ready', 'not-ready'],
      ['GET /api/users/{id}', 'ready', 'ready'],
      ['POST /api/carts', 'unknown', 'unknown'],
      ['GET /api/catalog/{sku}', 'unknown', 'unknown'],
      [`GET ${LONG_PATH}`, 'not ready', 'not-ready'],
    ]);
    expect(rows.find((r) => r[0] === 'GET /reports/daily')?.[1]).toBe('not shadowed');
    const reasons = await report.page.$$eval('section.endpoint[data-endpoint="GET /api/orders/{id}"] .reasons li', (lis) => lis.map((l) => l.textContent));
    expect(reasons).toEqual(["net match rate 88.9% is under the guard's 99%", '1 regression group: $.total (changed)']);
  });

  it('shows each difference group with its verdict and links to its samples', async () => {
    const groups = await report.page.$$eval('section.endpoint[data-endpoint="GET /api/orders/{id}"] table.groups tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(groups).toEqual([
      ['$.total', 'changed', '20', '0', 'regression', '#12 #11'],
      ['$.generatedAt', 'changed', '10', '9', 'noise', '#13'],
    ]);
  });

  it('puts the differing path inside a mark.diff on both sides of the side-by-side view', async () => {
    expect(await markText(12, 'legacy', '$.total')).toBe('"total": 100');
    expect(await markText(12, 'other', '$.total')).toBe('"total": 99');
    expect(await markText(12, 'legacy', '$.generatedAt')).toContain('2026-11-24T18:50:00.001Z');
    // A member that does not differ is not marked.
    expect(await markText(12, 'legacy', '$.id')).toBeNull();
    // An extra member with a name full of markup: marked on the service's side only, its name shown as text.
    expect(await markText(14, 'other', WEIRD_PATH)).toBe('"a|b<c>&\\"d`e": true');
    expect(await markText(14, 'legacy', WEIRD_PATH)).toBeNull();
    // The pretty-printed body reads as JSON again.
    const body = await report.page.$eval('#s12 .sbs-side[data-side="other"] pre.sbs-body', (p) => p.textContent);
    expect(JSON.parse(body!)).toMatchObject({ id: 7, total: 99 });
  });

  it('carries each sample as curl against legacy and against the service, redacted values marked', async () => {
    const legacy = await report.page.$eval('#curl-12-legacy', (p) => p.textContent!);
    const service = await report.page.$eval('#curl-12-service', (p) => p.textContent!);
    expect(legacy.split('\n')[0]).toMatch(/^# values shown as \[redacted\] were removed/);
    expect(legacy).toContain("curl --path-as-is --globoff --silent --show-error --include --header 'Host: shop.example' --header 'Authorization: [redacted]'");
    expect(legacy).toContain("'http://legacy.internal:3000/api/orders/7?expand=lines'");
    expect(service).toContain("'http://orders.internal:4001/api/orders/7?expand=lines'");
    const post = await report.page.$eval('#curl-14-service', (p) => p.textContent!);
    expect(post).toContain(`--request POST`);
    expect(post).toContain(`--data-raw '{"sku":"O'\\''Brien <tea>","qty":1}'`);
    expect(post).toMatch(/ http:\/\/carts\.internal:4002\/base\/api\/carts$/);
    const buttons = await report.page.$$eval('button.copy', (bs) => bs.map((b) => b.getAttribute('data-copy')));
    expect(buttons).toEqual(expect.arrayContaining(['curl-12-legacy', 'curl-12-service', 'curl-13-legacy', 'curl-14-service']));
  });

  it('a copy button puts its command on the clipboard, or selects it for the user to copy', async () => {
    await report.page.click('button[data-copy="curl-13-legacy"]');
    const got = await report.page.evaluate(async () => {
      const selected = window.getSelection()?.toString() ?? '';
      if (selected) return selected;
      try {
        return await navigator.clipboard.readText();
      } catch {
        return document.querySelector('button[data-copy="curl-13-legacy"]')?.textContent === 'copied' ? 'copied' : '';
      }
    });
    const command = await report.page.$eval('#curl-13-legacy', (p) => p.textContent!);
    expect([command, 'copied']).toContain(got);
  });

  it('says so where a sample named by the report is no longer stored', async () => {
    expect(await report.page.$eval('#s11', (a) => a.textContent)).toContain('sample #11 is no longer stored');
  });
});

describe('the JUnit report is well-formed XML', () => {
  it('parses, with one test case per endpoint under comparison and its text intact', async () => {
    const xml = renderJunit(REPORT, { failUnder: 99.5 });
    const page = await browser.newPage();
    try {
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        const error = doc.querySelector('parsererror');
        return {
          error: error ? error.textContent : null,
          root: doc.documentElement.nodeName,
          cases: [...doc.querySelectorAll('testcase')].map((c) => ({
            name: c.getAttribute('name'),
            failure: c.querySelector('failure')?.getAttribute('message') ?? null,
            skipped: c.querySelector('skipped') !== null,
            out: c.querySelector('system-out')?.textContent ?? '',
          })),
          totals: ['tests', 'failures', 'errors', 'skipped'].map((a) => doc.documentElement.getAttribute(a)),
        };
      }, xml);
      expect(parsed.error).toBeNull();
      expect(parsed.root).toBe('testsuites');
      expect(parsed.totals).toEqual(['5', '3', '0', '1']);
      expect(parsed.cases.map((c) => c.name)).toEqual(['GET /api/orders/{id}', 'GET /api/users/{id}', 'POST /api/carts', 'GET /api/catalog/{sku}', `GET ${LONG_PATH}`]);
      expect(parsed.cases.map((c) => [c.failure, c.skipped])).toEqual([
        ["net match rate 88.9% is under the guard's 99%", false],
        [null, false],
        ["net match rate 80% is under the guard's 99%", false],
        [null, true],
        ['7.7% of shadow copies ended in shadow-timeout (10 of 130); the guard allows 1% per category', false],
      ]);
      // The path full of markup comes back as it was.
      expect(parsed.cases[2]!.out).toContain(`${WEIRD_PATH} extra: 1 (noise 0) unknown, samples 14`);
    } finally {
      await page.close();
    }
  });
});
