import { describe, expect, it } from 'vitest';
import { FailureEpisodes } from '../src/failure-episodes.js';

/** Which repeated failures reach the log: the pure rule behind the ledger's and the shadow copies' failure lines. */
describe('FailureEpisodes', () => {
  it('tells the first failure, keeps quiet about the same cause within the interval, then tells how many it kept back', () => {
    const e = new FailureEpisodes(60_000);
    expect(e.failed('ledger', 'SQLITE_FULL', 0)).toEqual({ tell: true, first: true, failures: 1, untold: 0 });
    for (let t = 1; t <= 100; t++) expect(e.failed('ledger', 'SQLITE_FULL', t * 50)).toEqual({ tell: false });
    expect(e.failed('ledger', 'SQLITE_FULL', 60_000)).toEqual({ tell: true, first: false, failures: 102, untold: 100 });
    expect(e.failed('ledger', 'SQLITE_FULL', 60_001)).toEqual({ tell: false });
  });

  it('tells a new cause at once', () => {
    const e = new FailureEpisodes(60_000);
    e.failed('ledger', 'SQLITE_FULL', 0);
    e.failed('ledger', 'SQLITE_FULL', 10);
    expect(e.failed('ledger', 'SQLITE_IOERR_WRITE', 20)).toEqual({ tell: true, first: false, failures: 3, untold: 1 });
  });

  it('ends an episode on the first success, once, with its failures; the next failure opens a new one', () => {
    const e = new FailureEpisodes(60_000);
    expect(e.succeeded('ledger', 0)).toBeNull();
    e.failed('ledger', 'busy', 1_000);
    e.failed('ledger', 'busy', 2_000);
    expect(e.isOpen('ledger')).toBe(true);
    expect(e.succeeded('ledger', 4_000)).toEqual({ failures: 2, ms: 3_000 });
    expect(e.succeeded('ledger', 5_000)).toBeNull();
    expect(e.failed('ledger', 'busy', 6_000)).toMatchObject({ tell: true, first: true });
  });

  it('keeps keys apart', () => {
    const e = new FailureEpisodes(60_000);
    expect(e.failed('orders', 'shadow-timeout', 0)).toMatchObject({ tell: true, first: true });
    expect(e.failed('users', 'shadow-timeout', 1)).toMatchObject({ tell: true, first: true });
    expect(e.failed('orders', 'shadow-timeout', 2)).toEqual({ tell: false });
    expect(e.succeeded('users', 3)).toEqual({ failures: 1, ms: 2 });
    expect(e.isOpen('orders')).toBe(true);
  });
});
