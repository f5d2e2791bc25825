/**
 * Aligned plain-text tables for the terminal: no colours and no box
 * drawing, so the output reads the same in a pipe, a log or a CI job.
 */
export type Cell = string | number | null | undefined;

export interface TableOptions {
  /** Columns (by index) aligned right; numbers are right-aligned by default. */
  right?: number[];
  indent?: string;
}

const text = (c: Cell): string => (c === null || c === undefined ? '-' : String(c));

export function formatTable(header: string[], rows: Cell[][], opts: TableOptions = {}): string {
  const indent = opts.indent ?? '';
  const cells = rows.map((r) => header.map((_, i) => text(r[i])));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const right = new Set(opts.right ?? header.map((_, i) => i).filter((i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined)));
  const line = (r: string[]) =>
    indent +
    r
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

/** `label   value` lines with the labels aligned. */
export function formatPairs(pairs: Array<[string, Cell]>, indent = ''): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${text(v)}`).join('\n');
}

export function percent(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : `${Math.round(n * 100) / 100}%`;
}

/** `legacy 12, orders 3`: requests by target, largest first. */
export function byTarget(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([t, n]) => `${t} ${n}`).join(', ') : '-';
}
