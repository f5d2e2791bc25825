/**
 * What one `process.nextTick` costs in this process, in ns: the least over
 * 10 chains of 5,000, each chain a tick that schedules the next, so that a
 * moment of descheduling does not count. About 100-150 ns is normal here;
 * a process V8 has put in the state of README "After an idle minute" reads
 * 400-900 ns and costs about 10 % more CPU per request under load. The
 * benchmark asks its peers for it, so every run shows which were in it.
 */

const CHAIN = 5_000;
const CHAINS = 10;

export function tickCostNs(): Promise<number> {
  return new Promise((resolve) => {
    let best = Infinity;
    let chains = 0;
    const chain = () => {
      let n = 0;
      const t0 = process.hrtime.bigint();
      const step = () => {
        if (++n < CHAIN) {
          process.nextTick(step);
          return;
        }
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / CHAIN);
        // setImmediate between chains: the event loop turns, as it does between requests.
        if (++chains < CHAINS) setImmediate(chain);
        else resolve(best);
      };
      process.nextTick(step);
    };
    chain();
  });
}
