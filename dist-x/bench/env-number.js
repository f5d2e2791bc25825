/** A positive number from the environment (BENCH_SECONDS and friends), or the fallback; anything else is an error, not a silent default. */
export function positive(name, fallback) {
    const raw = process.env[name];
    if (raw === undefined || raw === '')
        return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0)
        throw new Error(`${name}=${raw}: expected a positive number`);
    return n;
}
//# sourceMappingURL=env-number.js.map