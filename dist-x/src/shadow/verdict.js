/**
 * Whether a difference group is the service's doing or legacy's own noise.
 * r: comparisons against the other side showing the group; n: legacy against
 * itself showing it; T: comparisons against the other side. A regression
 * needs r above n by a clear share of both (minExcessRatio, percent) and of
 * all compared requests (minExcessShare, percent). Under minCompared the
 * answer is unknown: too few samples never pass as fine.
 *
 * Noise calls are usually a sample (noisePercent) of the compared requests;
 * when `noiseCompared` is given, n is scaled to T so that both counts are
 * over the same number of requests. With `noiseCompared` 0 nothing was
 * measured, and n counts as 0.
 */
export function verdictOf(r, n, T, t, noiseCompared) {
    if (![r, n, T].every((x) => Number.isFinite(x) && x >= 0))
        return 'unknown';
    if (T < t.minCompared)
        return 'unknown';
    const noise = noiseCompared === undefined ? n : noiseCompared > 0 ? (n * T) / noiseCompared : 0;
    if (!(r > noise))
        return 'noise';
    const excess = r - noise;
    return excess / (r + noise) > t.minExcessRatio / 100 && excess / T > t.minExcessShare / 100 ? 'regression' : 'noise';
}
//# sourceMappingURL=verdict.js.map