import { describe, expect, it } from 'vitest';
import { copyTargetOf } from '../src/rules/copy-target.js';
import { ShadowSchema } from '../src/rules/schema.js';

// The one reading of "where does this route send shadow copies" that the shadow dispatcher and the dashboard share.
describe('copyTargetOf', () => {
  const againstLegacy = ShadowSchema.parse({ against: 'legacy' });

  it('a shadow route copies to its service', () => {
    expect(copyTargetOf({ mode: 'shadow', service: 'orders' })).toBe('orders');
  });

  it.each(['canary', 'service', 'retired'] as const)('a %s route with against: legacy copies to legacy', (mode) => {
    expect(copyTargetOf({ mode, service: 'orders', shadow: againstLegacy })).toBe('legacy');
  });

  it('a legacy route never copies, even with against: legacy (legacy answers every request)', () => {
    expect(copyTargetOf({ mode: 'legacy', service: 'orders', shadow: againstLegacy })).toBeUndefined();
  });

  it('a canary or service route without against: legacy sends no copies', () => {
    expect(copyTargetOf({ mode: 'canary', service: 'orders' })).toBeUndefined();
    expect(copyTargetOf({ mode: 'service', service: 'orders', shadow: ShadowSchema.parse({}) })).toBeUndefined();
  });
});
