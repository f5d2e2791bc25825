import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gateLines, gateOf } from '../src/report/gate.js';
import { renderJunit, xmlEscape } from '../src/report/render-junit.js';
import { code, renderMarkdown } from '../src/report/render-markdown.js';
import { renderText } from '../src/report/render-text.js';
import { samplesToShow } from '../src/report/sample-choice.js';
import { cutLine, ellipsize, visibleLength, wrap } from '../src/report/text-fit.js';
import { LONG_PATH, REPORT, WEIRD_PATH } from './fixtures/report-document.js';

/**
 * The report renderers as plain functions on one fixed report document
 * (test/fixtures/report-document.ts). Markdown and JUnit are compared byte
 * for byte with the files under test/golden/; after an intended change,
 * regenerate them with
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/report-renderers.test.ts
 *
 * and read the diff before committing it.
 */

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report-renderers.test.ts`);
  // Byte for byte: a Buffer comparison, so line endings and trailing spaces count.
  const expected = readFileSync(file);
  if (!expected.equals(Buffer.from(actual))) {
    expect(actual, `${name} differs from test/golden/${name}; if the change is intended, regenerate with UPDATE_GOLDEN=1`).toBe(expected.toString('utf8'));
  }
}

const ANSI = /\x1b\[[0-9;]*m/;
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('markdown', () => {
  it('matches test/golden/report.md', () => {
    golden('report.md', renderMarkdown(REPORT));
  });

  it('keeps table cells whole: pipes escaped, backticks fenced, no raw HTML from a path', () => {
    const md = renderMarkdown(REPORT);
    const row = md.split('\n').find((l) => l.includes('a\\|b'))!;
    expect(row).toBeDefined();
    // Six columns: the path's own pipe is escaped, so the row still splits into the table's cells.
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(6);
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x')).toBe('`` `x ``');
    expect(code('a|b')).toBe('`a\\|b`');
  });
});

describe('junit', () => {
  it('matches test/golden/report.junit.xml', () => {
    golden('report.junit.xml', renderJunit(REPORT));
  });

  it('has one test case per endpoint under comparison; a regression, a rate under the guard or timeouts fail one', () => {
    const xml = renderJunit(REPORT);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).not.toContain('/reports/daily');
    expect(xml).toMatch(/<testsuites name="strangler shadow report \(24h\)" tests="5" failures="3" errors="0" skipped="1"/);
    const orders = /<testcase [^>]*name="GET \/api\/orders\/\{id\}"[^>]*>\s*<failure message="([^"]*)"/.exec(xml);
    expect(orders?.[1]).toBe('net match rate 88.9% is under the guard&apos;s 99%');
    expect(xml).toMatch(/name="GET \/api\/v1\/organisations[^"]*"[^>]*>\s*<failure message="7.7% of shadow copies ended in shadow-timeout/);
    // Too few samples and nothing wrong yet: skipped, not failed.
    expect(xml).toMatch(/name="GET \/api\/catalog\/\{sku\}"[^>]*>\s*<skipped message="12 compared samples; the guard needs at least 100"\/>/);
    // Too few samples, but already under the guard's rate: failed.
    expect(xml).toMatch(/name="POST \/api\/carts"[^>]*>\s*<failure message="net match rate 80% is under the guard&apos;s 99%"/);
    expect(xml).toMatch(/name="GET \/api\/users\/\{id\}"[^>]*>\s*<system-out>/);
  });

  it('with a gate, its findings fail cases too, so the test report agrees with the exit status', () => {
    const xml = renderJunit(REPORT, { failUnder: 80, minSamples: 20 });
    expect(xml).toMatch(/name="GET \/api\/catalog\/\{sku\}"[^>]*>\s*<failure message="12 compared samples; the gate needs at least 20"/);
    expect(xml).toMatch(/tests="5" failures="4" errors="0" skipped="0"/);
  });

  it('escapes markup and writes characters XML cannot hold as U+FFFD', () => {
    expect(xmlEscape(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    expect(xmlEscape('a\u0000b\u001bc\td\ne')).toBe('a\uFFFDb\uFFFDc\td\ne');
    expect(xmlEscape('lone \uD800 surrogate, pair \uD83D\uDE00')).toBe('lone \uFFFD surrogate, pair \uD83D\uDE00');
    const xml = renderJunit(REPORT);
    expect(xml).toContain(xmlEscape(WEIRD_PATH));
    expect(xml).not.toContain(WEIRD_PATH);
  });
});

describe('text', () => {
  it('without colour when not on a TTY, with a row per endpoint and its difference groups under it', () => {
    const text = renderText(REPORT, { color: false });
    expect(text).not.toMatch(ANSI);
    const lines = text.split('\n');
    expect(lines[0]).toBe('shadow report, window 24h, generated 2026-11-24 18:56:02Z');
    expect(lines[1]).toBe('5 endpoints under comparison: 1 ready, 2 not ready, 2 unknown; 1 more not shadowed');
    expect(lines[3]).toMatch(/^ENDPOINT\s+ROUTE\s+MODE\s+REQUESTS\s+COMPARED\s+NET MATCH\s+READINESS$/);
    const at = lines.findIndex((l) => l.startsWith('GET   /api/orders/{id}') || l.startsWith('GET /api/orders/{id}'));
    expect(lines[at]).toMatch(/^GET \/api\/orders\/\{id\}\s+orders\s+shadow\s+200\s+180\s+88\.9%\s+not ready$/);
    expect(lines[at + 1]).toMatch(/^ {4}DIFFERENCE\s+KIND\s+COUNT\s+NOISE\s+VERDICT$/);
    expect(lines[at + 2]).toMatch(/^ {4}\$\.total\s+changed\s+20\s+0\s+regression$/);
    expect(lines[at + 3]).toMatch(/^ {4}\$\.generatedAt\s+changed\s+10\s+9\s+noise$/);
    expect(lines[at + 4]).toBe("    not ready: net match rate 88.9% is under the guard's 99%");
    expect(text).toMatch(/\nGET \/reports\/daily\s+-\s+legacy\s+40\s+-\s+-\s+not shadowed\n?/);
    expect(text).toMatch(/\nGET \/api\/users\/\{id\}\s+users\s+canary\s+250\s+250\s+100%\s+ready\n/);
  });

  it('numbers are right-aligned: the columns line up', () => {
    const lines = renderText(REPORT).split('\n');
    const header = lines[3]!;
    const compared = header.indexOf('COMPARED') + 'COMPARED'.length;
    for (const l of lines.slice(4).filter((x) => /^(GET|POST) /.test(x))) expect(l[compared - 1]).toMatch(/[\d-]/);
  });

  it('fits the terminal width: no line is longer, long paths are cut with …', () => {
    for (const width of [60, 80, 100]) {
      const text = renderText(REPORT, { width, color: false });
      for (const line of text.split('\n')) expect(visibleLength(line), `at width ${width}: ${line}`).toBeLessThanOrEqual(width);
      expect(text).not.toContain(LONG_PATH);
      expect(text).toMatch(/GET \/api\S*…\S*\{id\}/);
    }
    // With room, nothing is cut.
    const wide = renderText(REPORT, { width: 400 });
    expect(wide).toContain(`GET ${LONG_PATH}`);
    expect(wide).not.toContain('…');
  });

  it('colours readiness and verdicts on a TTY, without moving a column', () => {
    const coloured = renderText(REPORT, { color: true, width: 100 });
    expect(coloured).toMatch(ANSI);
    expect(coloured).toContain('\x1b[31mnot ready\x1b[0m');
    expect(coloured).toContain('\x1b[32mready\x1b[0m');
    expect(coloured).toMatch(/\x1b\[31mregression\s*\x1b\[0m/);
    expect(plain(coloured)).toBe(renderText(REPORT, { color: false, width: 100 }));
    for (const line of coloured.split('\n')) expect(visibleLength(plain(line))).toBeLessThanOrEqual(100);
  });

  it('says so when the window holds no endpoint', () => {
    expect(renderText({ ...REPORT, endpoints: [] })).toContain('no endpoints in this window; try --since all');
  });
});

describe('text fitting', () => {
  it('ellipsize keeps both ends', () => {
    expect(ellipsize('/api/orders/{id}', 100)).toBe('/api/orders/{id}');
    expect(ellipsize('/api/organisations/{org}/projects', 15)).toBe('/api/or…rojects');
    expect(visibleLength(ellipsize(LONG_PATH, 20))).toBe(20);
  });

  it('wrap breaks at words and indents continuation lines', () => {
    expect(wrap('one two three four five', 12, '  ', '')).toEqual(['one two', '  three four', '  five']);
  });

  it('cutLine counts visible characters only and resets colour after a cut', () => {
    expect(cutLine('\x1b[31mabcdef\x1b[0m', 4)).toBe('\x1b[31mabc…\x1b[0m');
    expect(cutLine('\x1b[31mab\x1b[0m', 4)).toBe('\x1b[31mab\x1b[0m');
  });
});

describe('the CI gate and the samples a report shows', () => {
  it('judges only endpoints under comparison, naming each failing one with its reasons', () => {
    const result = gateOf(REPORT.endpoints, { failUnder: 99.5, minSamples: 100 });
    expect(result.judged).toBe(5);
    expect(result.failing.map((f) => `${f.endpoint.method} ${f.endpoint.path}`)).toEqual(['GET /api/orders/{id}', 'POST /api/carts', 'GET /api/catalog/{sku}']);
    expect(gateLines(result, { failUnder: 99.5, minSamples: 100 })).toEqual([
      'the gate (--fail-under 99.5 --min-samples 100) fails for 3 of 5 endpoints under comparison:',
      // The gate reads the exact share (160 net matches of 180 compared), cut to two decimals, not the rounded 88.9 of the tables.
      '  GET /api/orders/{id}: net match rate 88.88% is under 99.5%',
      '  POST /api/carts: net match rate 80% is under 99.5%; 5 compared samples; the gate needs at least 100',
      '  GET /api/catalog/{sku}: 12 compared samples; the gate needs at least 100',
    ]);
    expect(gateOf(REPORT.endpoints, { failUnder: 80, minSamples: 5 }).failing).toEqual([]);
    expect(gateLines(gateOf([], { failUnder: 99 }), { failUnder: 99 })[0]).toContain('nothing to judge');
  });

  it('judges the exact share: 99.46 % fails a 99.5 % gate though the table rounds it to 99.5', () => {
    const e = REPORT.endpoints.find((x) => x.path === '/api/orders/{id}')!;
    const close = { ...e, compared: 10_000, matched: 9_946, netMatched: 9_946, netMatchRate: 99.5 };
    expect(gateOf([close], { failUnder: 99.5 }).failing.map((f) => f.reasons)).toEqual([['net match rate 99.46% is under 99.5%']]);
    expect(gateOf([{ ...close, netMatched: 9_950 }], { failUnder: 99.5 }).failing).toEqual([]);
  });

  it('samplesToShow gives every group a sample before any gets a second, each sample once', () => {
    const e = { differences: [{ samples: [5, 4, 3] }, { samples: [5, 9] }, { samples: [7] }] } as never;
    expect(samplesToShow(e, 10)).toEqual([5, 7, 4, 9, 3]);
    expect(samplesToShow(e, 2)).toEqual([5, 7]);
  });
});
