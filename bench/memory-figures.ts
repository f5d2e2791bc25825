import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

/**
 * The figures that tell apart where a process's resident memory is: the
 * JS heap by space (what V8 has committed and what it has touched), the
 * ArrayBuffers and other external memory V8 knows of, and the kernel's
 * split of RSS into anonymous memory (heaps: V8's and malloc's), file-backed
 * pages (the node binary, shared libraries, mapped files) and shared memory
 * (SQLite's WAL index). Anonymous memory that no V8 figure accounts for is
 * native: malloc arenas (SQLite's page cache, llhttp, OpenSSL, zlib),
 * thread stacks.
 */
export interface MemoryFigures {
  rssBytes: number;
  heapTotalBytes: number;
  heapUsedBytes: number;
  /** Pages of the JS heap that are resident (the sum of the spaces' physical sizes). */
  heapPhysicalBytes: number;
  /** Committed size of each V8 heap space, by V8's name (new_space, old_space, code_space, large_object_space, ...). */
  spaces: Record<string, { sizeBytes: number; usedBytes: number; physicalBytes: number }>;
  /** Memory outside the JS heap that V8 knows of: Buffers and other ArrayBuffers, and what addons report. */
  externalBytes: number;
  arrayBuffersBytes: number;
  /** /proc/self/status, Linux only (null elsewhere). */
  rssAnonBytes: number | null;
  rssFileBytes: number | null;
  rssShmemBytes: number | null;
  /** Anonymous resident memory minus the JS heap's resident pages and V8's external memory: malloc and stacks. */
  nativeOtherBytes: number | null;
  /** The resident part of the `[heap]` mapping (/proc/self/smaps): the main thread's malloc arena, where SQLite's page cache lives. */
  brkHeapBytes: number | null;
}

export function memoryFigures(): MemoryFigures {
  const m = process.memoryUsage();
  const spaces: MemoryFigures['spaces'] = {};
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
function brkHeapResident(): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return null;
  }
  const at = text.indexOf(' [heap]\n');
  if (at === -1) return null;
  const m = /\nRss:\s+(\d+) kB/.exec(text.slice(at));
  return m ? Number(m[1]) * 1024 : null;
}

/** The `kB` lines of /proc/self/status, in bytes; empty where there is no /proc. */
function procStatus(): Map<string, number> {
  const out = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * 1024);
  }
  return out;
}
