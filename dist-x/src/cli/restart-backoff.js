/**
 * When to restart a data-plane worker that exited. A worker that ran for a
 * while restarts almost at once: one crash is an incident, not a pattern.
 * One that keeps dying soon after it starts (a bad disk, a broken
 * upstream library) is restarted less and less often, so the primary does
 * not spin forking processes that die, and the log stays readable.
 */
export const FIRST_DELAY_MS = 100;
export const MAX_DELAY_MS = 10_000;
/** A worker that lived this long counts as healthy: its next crash starts the backoff over. */
export const STABLE_MS = 30_000;
export function nextRestart(previous, livedMs) {
    const failures = livedMs >= STABLE_MS ? 0 : previous.failures + 1;
    return { failures, delayMs: Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** failures) };
}
//# sourceMappingURL=restart-backoff.js.map