/** New traffic reloads a page at most this often. */
export const TRAFFIC_MS = 5000;

/**
 * New traffic reloads the page at most once per this many times the last
 * load took, whether it succeeded or failed: a page that sums a busy day of
 * the ledger (a second or more) then reloads every ten or more, and each
 * open page keeps the proxy's read thread busy a tenth of the time at most,
 * however large the ledger.
 */
export const LOAD_SHARE = 10;

/** Whether new traffic is worth a reload now: `sinceLoadMs` since the last load started, which took `lastLoadMs`. */
export function trafficReloadDue(sinceLoadMs: number, lastLoadMs: number): boolean {
  return sinceLoadMs >= Math.max(TRAFFIC_MS, LOAD_SHARE * lastLoadMs);
}
