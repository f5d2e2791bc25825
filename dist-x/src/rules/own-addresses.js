import { parseListen } from './listen-address.js';
function ipv4(host) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
    return m ? m.slice(1).map(Number) : null;
}
/** `::ffff:127.0.0.1` and `::ffff:7f00:1` (how URL writes it) → 127.0.0.1. */
function mappedIpv4(host) {
    const dotted = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(host);
    if (dotted)
        return dotted[1];
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
    if (!hex)
        return null;
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
/** A host name or address as a comparable key: lower case, no brackets, no trailing dot, IPv4-mapped IPv6 as IPv4. */
export function hostKey(host) {
    let h = host.trim().toLowerCase();
    if (h.startsWith('[') && h.endsWith(']'))
        h = h.slice(1, -1);
    while (h.endsWith('.'))
        h = h.slice(0, -1);
    return mappedIpv4(h) ?? h;
}
/**
 * Whether `host` names this machine whatever else it is called: loopback
 * (127.0.0.0/8, ::1, localhost and *.localhost), the unspecified address
 * (a connection to 0.0.0.0 or :: reaches this machine), or one of
 * `localNames`.
 */
export function isThisMachine(host, localNames = new Set()) {
    const h = hostKey(host);
    if (h === '' || h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '::' || h === '0.0.0.0')
        return true;
    const v4 = ipv4(h);
    if (v4 && v4[0] === 127)
        return true;
    for (const name of localNames)
        if (hostKey(name) === h)
            return true;
    return false;
}
function urlOf(spec) {
    if (typeof spec === 'string')
        return spec;
    if (spec && typeof spec === 'object' && typeof spec.url === 'string')
        return spec.url;
    return null;
}
/** Where `url` connects: its host key and port (80 or 443 when not written). */
function endpointOf(url) {
    try {
        const u = new URL(url);
        return { host: hostKey(u.hostname), port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
    }
    catch {
        return null;
    }
}
/**
 * Own addresses from `listen` and `admin.listen` as written (port 0 is
 * picked at start, so it is checked then, with the port the listener got).
 */
export function ownAddressesOf(file) {
    const out = [];
    for (const [what, field, listen] of [
        ['admin API', 'admin.listen', file.admin.listen],
        ['data plane', 'listen', file.listen],
    ]) {
        try {
            const { host, port } = parseListen(listen);
            if (port !== 0)
                out.push({ what, field, host, port });
        }
        catch {
            // A malformed address is reported by its own field's check.
        }
    }
    return out;
}
/**
 * Every target (legacy, each service) whose URL connects to one of `own`:
 * the same port, and a host that is that listener's own host or any name
 * of this machine. Deliberately broad: a target on this machine at the
 * admin port is refused even where its address would miss the admin
 * listener, rather than trusting how names resolve.
 */
export function targetsOnOwnAddresses(table, own, localNames = new Set()) {
    const issues = [];
    const check = (spec, path) => {
        const url = urlOf(spec);
        const at = url === null ? null : endpointOf(url);
        if (!at)
            return;
        for (const o of own) {
            if (o.port !== at.port)
                continue;
            // The listener is on this machine by definition, whatever address it took.
            if (at.host !== hostKey(o.host) && !isThisMachine(at.host, localNames))
                continue;
            const where = `${o.field} ${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
            const why = o.what === 'admin API'
                ? 'the admin API is never reachable through the data plane'
                : 'every request would come back to the proxy';
            issues.push({
                path: typeof spec === 'string' ? path : [...path, 'url'],
                message: `${url} is this proxy's own ${o.what} (${where}): ${why}; point it at the real ${path[0] === 'legacy' ? 'monolith' : 'service'}`,
            });
            return;
        }
    };
    check(table.legacy, ['legacy']);
    for (const [name, spec] of Object.entries(table.services))
        check(spec, ['services', name]);
    return issues;
}
//# sourceMappingURL=own-addresses.js.map