import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
export function memoryFigures() {
    const m = process.memoryUsage();
    const spaces = {};
    let heapPhysicalBytes = 0;
    for (const s of v8.getHeapSpaceStatistics()) {
        spaces[s.space_name] = { sizeBytes: s.space_size, usedBytes: s.space_used_size, physicalBytes: s.physical_space_size };
        heapPhysicalBytes += s.physical_space_size;
    }
    const status = procStatus();
    const rssAnonBytes = status.get('RssAnon') ?? null;
    return {
        rssBytes: m.rss,
        heapTotalBytes: m.heapTotal,
        heapUsedBytes: m.heapUsed,
        heapPhysicalBytes,
        spaces,
        externalBytes: m.external,
        arrayBuffersBytes: m.arrayBuffers,
        rssAnonBytes,
        rssFileBytes: status.get('RssFile') ?? null,
        rssShmemBytes: status.get('RssShmem') ?? null,
        nativeOtherBytes: rssAnonBytes === null ? null : rssAnonBytes - heapPhysicalBytes - m.external,
        brkHeapBytes: brkHeapResident(),
    };
}
/** Rss of the `[heap]` line of /proc/self/smaps, in bytes; null where there is none. */
function brkHeapResident() {
    let text;
    try {
        text = readFileSync('/proc/self/smaps', 'utf8');
    }
    catch {
        return null;
    }
    const at = text.indexOf(' [heap]\n');
    if (at === -1)
        return null;
    const m = /\nRss:\s+(\d+) kB/.exec(text.slice(at));
    return m ? Number(m[1]) * 1024 : null;
}
/** The `kB` lines of /proc/self/status, in bytes; empty where there is no /proc. */
function procStatus() {
    const out = new Map();
    let text;
    try {
        text = readFileSync('/proc/self/status', 'utf8');
    }
    catch {
        return out;
    }
    for (const line of text.split('\n')) {
        const m = /^(\w+):\s+(\d+) kB$/.exec(line);
        if (m)
            out.set(m[1], Number(m[2]) * 1024);
    }
    return out;
}
//# sourceMappingURL=memory-figures.js.map