import { describe, expect, it } from 'vitest';
import { crashLoop } from './crash/crash-loop.js';

/**
 * Crash safety (see test/crash/crash-loop.ts for what is measured and what
 * one batch is). Three kills in the suite; `npm run test:crash` runs 20
 * (CRASH_ITERATIONS) and prints the figures.
 */

const iterations = Math.max(1, Number(process.env.CRASH_ITERATIONS) || 3);

describe(`SIGKILL under shadowed load, ${iterations} times`, () => {
  it('leaves a database that passes integrity_check, loses at most one writer batch per kill, and serves again', { timeout: 30_000 + iterations * 15_000 }, async () => {
    const r = await crashLoop({ iterations, clients: Number(process.env.CRASH_CLIENTS) || undefined, log: (line) => console.log(line) });
    expect(r.figures).toHaveLength(iterations);
    for (const f of r.figures) {
      expect(f.integrity, `kill ${f.iteration}`).toBe('ok');
      expect(f.lost, `kill ${f.iteration}: lost ${f.lost} of ${f.sent}`).toBeLessThanOrEqual(f.batch);
      // Never invents traffic: at most the answers in flight were recorded without being read in full.
      expect(f.lost, `kill ${f.iteration}`).toBeGreaterThanOrEqual(-r.clients);
    }
    // A clean life loses nothing.
    expect(r.final).toMatchObject({ integrity: 'ok' });
    expect(r.final.landed).toBe(r.final.sent);
  });
});
