import { positive } from './env-number.js';
/**
 * The measuring windows of `npm run bench` and `npm run bench:shadow`.
 * Many short windows rather than a few long ones: this kind of machine
 * drifts between a fast and a slow state over seconds, and every verdict
 * takes the median of per-round ratios, which needs rounds more than it
 * needs long windows.
 */
export const SECONDS = Math.round(positive('BENCH_SECONDS', 4));
/** Before a peer's first window only: the JIT, pools and caches warm once; later windows find them warm. */
export const WARMUP_SECONDS = Math.round(positive('BENCH_WARMUP_SECONDS', 3));
export const ROUNDS = Math.round(positive('BENCH_ROUNDS', 7));
//# sourceMappingURL=windows.js.map