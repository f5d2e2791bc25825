import { fixed, median, ratio, summarise, times, type PeerSamples, type Sample } from './load-report.js';
import { markdownTable } from './markdown.js';
import type { LedgerSettle } from './peer-strangler-ledger.js';
import { pairedFigures, pairedPerRound, pairedRatio, pairedTable, type PairedResult } from './paired.js';

/** The ledger on/off comparison → Markdown for RESULTS.md and the terminal. */

/** The same two processes under one kind of traffic. */
export interface LedgerPair {
  /** What the requests were, for the findings: "one URL", "200 endpoints". */
  traffic: string;
  off: PeerSamples;
  on: PeerSamples;
}

/** The same two processes paired on one core (paired.ts): `a` the ledger on, `b` off. */
export interface PairedLedger {
  traffic: string;
  result: PairedResult;
}

export interface LedgerPeers {
  /** `startProxy` alone, as in the throughput table: no ledger, no metrics, no admin. */
  bare: PeerSamples;
  pairs: LedgerPair[];
  /** The ledger-on peer's answer after the last window, its queue flushed. */
  settle: LedgerSettle;
  /** Null when pairing is not possible here. */
  paired: PairedLedger[] | null;
}

type Summary = ReturnType<typeof summarise>;

const pct = (n: number) => `${n >= 0 ? '+' : ''}${(100 * n).toFixed(1)} %`;
const signed = (n: number, digits: number) => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
const count = (n: number) => n.toLocaleString('en-US');

export function ledgerReport(p: LedgerPeers, maxCost: number): { table: string; findings: string; windows: string; paired: string | null } {
  const bare = summarise(p.bare);
  const pairs = p.pairs.map((pair) => ({ pair, off: summarise(pair.off), on: summarise(pair.on) }));

  const table = markdownTable(
    ['peer', 'requests/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req', 'proxy peak RSS MB', 'errors + non-2xx'],
    [bare, ...pairs.flatMap((x) => [x.off, x.on])].map((s) => [
      s.label,
      s.rps.toFixed(0),
      fixed(s.p50, 2),
      fixed(s.p99, 2),
      fixed(s.proxyCpu, 1),
      fixed(s.rssMb, 0),
      String(s.failures),
    ]),
  );

  const first = pairs[0]!;
  const lines = [
    ...pairs.flatMap(({ pair, off, on }) => costLines(pair, off, on, maxCost)),
    `- \`strangler start\` with the ledger off / \`startProxy\` alone, one URL (metrics, admin API, rule-file watch): requests/s ${times(first.off.rps / bare.rps)}, CPU ${signed(first.off.proxyCpu - bare.proxyCpu, 1)} µs/req`,
    ...writerLines(p.pairs.flatMap((x) => x.on.samples), p.settle),
    ...[bare, ...pairs.flatMap((x) => [x.off, x.on])]
      .filter((s) => s.uncaught > 0)
      .map((s) => `- **${s.label} threw ${s.uncaught} uncaught exception(s) during the run**; it would have crashed without the benchmark's guard (first one on stderr).`),
  ];

  const rounds = Math.max(...p.pairs.flatMap((x) => [x.off.samples.length, x.on.samples.length]));
  const windows = markdownTable(
    ['round', 'peer', 'requests/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req', 'other load %', 'ledger written', 'dropped', 'queued at end', 'mean batch'],
    Array.from({ length: rounds }, (_, i) =>
      // In the order they ran: off first in odd rounds, on first in even ones.
      p.pairs
        .flatMap((x) => (i % 2 === 0 ? [x.off, x.on] : [x.on, x.off]))
        .map((peer) => {
          const s = peer.samples[i]!;
          const l = s.ledger;
          return [
            String(i + 1),
            peer.label,
            s.rps.toFixed(0),
            fixed(s.p50Ms, 2),
            fixed(s.p99Ms, 2),
            fixed(s.proxyCpuUs, 1),
            fixed(s.otherLoadPct, 0),
            l ? count(l.written) : '—',
            l ? count(l.dropped) : '—',
            l ? count(l.queuedAtEnd) : '—',
            l && l.batches > 0 ? (l.written / l.batches).toFixed(1) : '—',
          ];
        }),
    ).flat(),
  );
  const paired = p.paired && `${pairedTable(p.paired.map((x) => x.result))}\n\n${p.paired.map((x) => pairedCostLine(x, maxCost)).join('\n')}`;
  return { table, findings: lines.join('\n'), windows, paired };
}

const costVerdict = (cost: number, maxCost: number) => `the ledger costs **${(100 * cost).toFixed(1)} %** of requests/s (target < ${100 * maxCost} %: ${cost < maxCost ? 'met' : 'NOT met'})`;

function pairedCostLine(p: PairedLedger, maxCost: number): string {
  const { rps, cpu } = pairedFigures;
  const rpsRatio = pairedRatio(p.result, rps);
  return (
    `- paired, ${p.traffic}: ledger on / off requests/s **${times(rpsRatio)}**, ${costVerdict(1 - rpsRatio, maxCost)}; ` +
    `proxy CPU per request on / off ${times(pairedRatio(p.result, cpu))}. Per round: ${pairedPerRound(p.result, rps)}`
  );
}

/** A window in which other processes used more than this share of the machine is too disturbed to judge by. */
export const DISTURBED_PCT = 10;
const disturbed = (s: Sample) => s.otherLoadPct > DISTURBED_PCT;

function costLines(pair: LedgerPair, off: Summary, on: Summary, maxCost: number): string[] {
  // Off and on run back to back in every round, so a round's own ratio is the least disturbed by drift.
  const rounds = pair.on.samples.map((s, i) => ({ n: i + 1, on: s, off: pair.off.samples[i]! }));
  const perRound = rounds.map((r) => `${times(r.on.rps / r.off.rps)}${disturbed(r.on) || disturbed(r.off) ? ' (disturbed)' : ''}`).join(', ');
  const clean = rounds.filter((r) => !disturbed(r.on) && !disturbed(r.off));
  // The verdict comes from the rounds where nothing else loaded the machine, when there are any: a busy neighbour in one window can flip it.
  const judged = clean.length > 0 ? clean : rounds;
  // The median of the judged rounds' own ratios (see load-report.ts ratio()).
  const rpsRatio = median(judged.map((r) => r.on.rps / r.off.rps));
  const cpuRatio = median(judged.map((r) => r.on.proxyCpuUs / r.off.proxyCpuUs));
  const cpuOff = median(judged.map((r) => r.off.proxyCpuUs));
  const cost = 1 - rpsRatio;
  const cpuDelta = cpuOff * (cpuRatio - 1);
  const basis =
    judged.length === rounds.length
      ? clean.length > 0
        ? 'all rounds'
        : `all rounds, **every one disturbed** (other load > ${DISTURBED_PCT} %)`
      : judged.length === 1
        ? `judged on round ${judged[0]!.n}, the only one with other load ≤ ${DISTURBED_PCT} % in both windows`
        : `judged on rounds ${judged.map((r) => r.n).join(', ')}, those with other load ≤ ${DISTURBED_PCT} % in both windows`;
  return [
    `- ${pair.traffic}, ${basis}: ledger on / off requests/s **${times(rpsRatio)}** (median of the rounds' ratios), ${costVerdict(cost, maxCost)}; ` +
      `proxy CPU per request on / off ${times(cpuRatio)}: **${signed(cpuDelta, 1)} µs/req (${pct(cpuRatio - 1)})** over ${fixed(cpuOff, 1)} µs. ` +
      `Per round: ${perRound}; median over all rounds ${times(ratio(pair.on, pair.off, (x) => x.rps))}, latency on / off p50 ${times(on.p50 / off.p50)}, p99 ${times(on.p99 / off.p99)}`,
  ];
}

function writerLines(samples: Sample[], settle: LedgerSettle): string[] {
  const windows = samples.filter((s) => s.ledger);
  const written = windows.reduce((n, s) => n + s.ledger!.written, 0);
  const dropped = windows.reduce((n, s) => n + s.ledger!.dropped, 0);
  const failed = windows.reduce((n, s) => n + s.ledger!.failedBatches, 0);
  const responses = windows.reduce((n, s) => n + s.responses, 0);
  const lines = [
    `- ledger writer in the measured windows: ${count(written)} records written for ${count(responses)} responses, **${count(dropped)} dropped**, ${failed} failed batches`,
  ];
  const l = settle.ledger;
  if (l === null) return [...lines, '- sanity check: the ledger-on peer reported no ledger (**failed**)'];
  // After the flush every exchange the proxy finished is either a row's request or a dropped record.
  const ok = settle.rowRequests === l.written && l.written + l.dropped === settle.requestsReceived && l.queued === 0;
  lines.push(
    `- sanity check at the end (queue flushed): SUM(traffic_minutes.requests) = ${count(settle.rowRequests)}, records written = ${count(l.written)}, ` +
      `dropped = ${count(l.dropped)}, requests the proxy received (warm-ups included) = ${count(settle.requestsReceived)}: **${ok ? 'consistent' : 'MISMATCH'}**` +
      `; ${settle.endpoints} endpoints, ${settle.minuteRows} minute rows, ${(settle.databaseBytes / 1024).toFixed(0)} KiB with the WAL`,
  );
  return lines;
}
