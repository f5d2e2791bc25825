/**
 * node:cluster's round-robin primary accepts each connection and hands it
 * to a worker over IPC. A connection handed to a worker in the moment it
 * died, before the primary noticed the exit, is stranded: the handoff
 * never completes, and the primary keeps the connection open with no one
 * to answer it, so the client waits until its own timeout. (About one
 * connection per crash under steady traffic; measured in the README.)
 *
 * Such a connection is a bare TCP handle that no socket object owns: every
 * other TCP handle in the primary belongs to a net.Socket or net.Server
 * (the admin API, the shared listen port). Node has no public API for
 * them, so this reads `process._getActiveHandles()`, which it has had for
 * years; where it is missing, nothing happens and the old behaviour stays.
 */
function bareTcpHandles() {
    const list = process._getActiveHandles?.() ?? [];
    return list.filter((h) => {
        const r = h;
        return typeof r === 'object' && r !== null && r.constructor?.name === 'TCP' && !r.owner && typeof r.close === 'function';
    });
}
/**
 * Call when a worker has exited: a handoff in progress then takes
 * microseconds, so a bare connection still there `afterMs` later is
 * stranded, and closing it lets its client fail fast instead of hanging.
 * Returns how many were closed.
 */
export function closeStrandedConnections(afterMs) {
    const suspects = new Set(bareTcpHandles());
    if (suspects.size === 0)
        return Promise.resolve(0);
    return new Promise((resolve) => {
        setTimeout(() => {
            let closed = 0;
            for (const h of bareTcpHandles()) {
                if (!suspects.has(h))
                    continue;
                h.close();
                closed++;
            }
            resolve(closed);
        }, afterMs).unref();
    });
}
//# sourceMappingURL=stranded-connections.js.map