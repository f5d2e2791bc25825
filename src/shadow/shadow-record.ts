import type { CapturedResponse, Difference, Outcome } from './types.js';

/** What the shadow side hands the ledger for one copy that was sent or waited in its lane (copies refused at once ride on ExchangeFact.copy). */
export interface ShadowRecord {
  /** `shadow`: legacy against the other side; `noise`: legacy against itself. */
  kind: 'shadow' | 'noise';
  at: number;
  route: string;
  method: string;
  /** Raw path and query of the original request. */
  url: string;
  outcome: Outcome;
  legacyStatus: number | null;
  otherStatus: number | null;
  legacyMs: number | null;
  otherMs: number | null;
  differences: Difference[];
  exchange: string | null;
  /** Raw material for a stored sample; redacted when (and only if) the ledger keeps it. */
  sample: ShadowSample | null;
}

export interface ShadowSample {
  target: string;
  request: { method: string; url: string; headers: string[]; body: Buffer | null };
  legacy: CapturedResponse;
  other: CapturedResponse;
  redact: string[];
}

/** Outcomes that mean no comparison was attempted: they are counted, not stored as rows. */
export type NotAttempted = 'skipped-unsafe' | 'dropped-budget' | 'dropped-queue' | 'dropped-circuit';
export const NOT_ATTEMPTED: ReadonlySet<Outcome> = new Set<NotAttempted>(['skipped-unsafe', 'dropped-budget', 'dropped-queue', 'dropped-circuit']);
