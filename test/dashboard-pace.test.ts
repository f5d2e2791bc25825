import { describe, expect, it } from 'vitest';
import { trafficReloadDue } from '../src/admin/ui/reload-pace.js';

/**
 * How often new traffic reloads an open dashboard page: every 5 s at most,
 * and never more than a tenth of the time, so a page that takes the proxy's
 * read thread a second and a half to sum reloads every 15 s.
 */
describe('the dashboard\'s reload pace for new traffic', () => {
  it('reloads a quick page 5 s after its last load', () => {
    expect(trafficReloadDue(4_999, 40)).toBe(false);
    expect(trafficReloadDue(5_000, 40)).toBe(true);
  });

  it('waits ten times as long as a slow page took to load', () => {
    expect(trafficReloadDue(5_000, 1_500)).toBe(false);
    expect(trafficReloadDue(14_999, 1_500)).toBe(false);
    expect(trafficReloadDue(15_000, 1_500)).toBe(true);
  });
});
