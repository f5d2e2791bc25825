/**
 * Runs `work` with a short busy timeout. better-sqlite3 is synchronous, so
 * while SQLite waits for a lock another process holds, the whole event
 * loop waits with it, the data plane included. Background writes (ledger
 * batches, retention) would rather fail fast and try again later than
 * hold every request for the connection's usual five seconds.
 */
export function withBusyTimeout(db, ms, work) {
    const usual = db.pragma('busy_timeout', { simple: true });
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(ms))}`);
    try {
        return work();
    }
    finally {
        db.pragma(`busy_timeout = ${usual}`);
    }
}
//# sourceMappingURL=busy-timeout.js.map