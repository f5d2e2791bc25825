/** `127.0.0.1:8080`, `[::1]:8080`, `:8080` or `8080` → host and port. */
export function parseListen(listen) {
    const m = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d{1,5})$/.exec(listen.trim());
    if (!m)
        throw new Error(`listen "${listen}" is not HOST:PORT, such as 127.0.0.1:8080`);
    const port = Number(m[3]);
    if (port > 65535)
        throw new Error(`listen "${listen}": port ${port} is over 65535`);
    return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
//# sourceMappingURL=listen-address.js.map