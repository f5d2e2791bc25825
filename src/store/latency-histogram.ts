/**
 * Latency kept as counts in fixed, roughly logarithmic buckets, so a minute
 * of traffic is a few dozen integers however many requests it had, and
 * minutes add up by adding buckets. Quantiles are read back by linear
 * interpolation inside the bucket that holds them.
 */

/** Upper bounds in ms; the last bucket is everything above the last bound. */
export const BOUNDS_MS = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 30000] as const;
export const BUCKETS = BOUNDS_MS.length + 1;

export function bucketIndex(ms: number): number {
  for (let i = 0; i < BOUNDS_MS.length; i++) if (ms <= BOUNDS_MS[i]!) return i;
  return BOUNDS_MS.length;
}

export function emptyHistogram(): Uint32Array {
  return new Uint32Array(BUCKETS);
}

export function toBlob(h: Uint32Array): Buffer {
  return Buffer.from(h.buffer, h.byteOffset, h.byteLength);
}

export function fromBlob(blob: Buffer | Uint8Array | null | undefined): Uint32Array {
  return addBlobInto(emptyHistogram(), blob);
}

/** Adds a stored histogram into `into` without building an array for it: once per minute row when a window is summed. */
export function addBlobInto(into: Uint32Array, blob: Buffer | Uint8Array | null | undefined): Uint32Array {
  if (!blob) return into;
  const n = Math.min(BUCKETS, Math.floor(blob.byteLength / 4));
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let i = 0; i < n; i++) into[i] = into[i]! + view.getUint32(i * 4, true);
  return into;
}


/** The q-quantile (0..1) in ms, or null for an empty histogram. */
export function quantile(h: Uint32Array, q: number): number | null {
  let total = 0;
  for (const c of h) total += c;
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const c = h[i]!;
    if (c === 0) continue;
    if (seen + c >= rank) {
      const lo = i === 0 ? 0 : BOUNDS_MS[i - 1]!;
      const hi = i < BOUNDS_MS.length ? BOUNDS_MS[i]! : lo * 2;
      return Math.round((lo + ((rank - seen) / c) * (hi - lo)) * 100) / 100;
    }
    seen += c;
  }
  return BOUNDS_MS[BOUNDS_MS.length - 1]!;
}
