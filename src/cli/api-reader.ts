import type { ReportDocument } from '../report/report-data.js';
import type { EndpointRow } from '../admin/views.js';
import type { StoredSample } from '../store/comparisons.js';
import type { ModeChange } from '../store/mode-changes.js';
import type { Revision } from '../store/revisions.js';
import type { AdminClient } from './admin-client.js';
import type { LedgerReader, ProgressView, RevisionsView, RoutesView } from './ledger-reader.js';

const q = (params: Record<string, string | number | undefined>): string => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : '';
};

const field = (b: unknown, k: string): unknown => (b && typeof b === 'object' ? (b as Record<string, unknown>)[k] : undefined);
const has = (b: unknown, k: string) => field(b, k) !== undefined;

/** The ledger as the running proxy's admin API shows it. */
export function apiReader(client: AdminClient): LedgerReader {
  return {
    where: `the admin API at ${client.url}`,
    offline: false,
    routes: () => client.get<RoutesView>('/api/routes', (b) => has(b, 'revision') && Array.isArray(field(b, 'routes'))),
    endpoints: (since) => client.get<EndpointRow[]>(`/api/endpoints${q({ since })}`, Array.isArray),
    progress: (since) => client.get<ProgressView>(`/api/progress${q({ since })}`, (b) => has(b, 'endpoints') && has(b, 'traffic') && Array.isArray(field(b, 'workQueue'))),
    revisions: (limit) => client.get<RevisionsView>(`/api/revisions${q({ limit })}`, (b) => has(b, 'inForce') && Array.isArray(field(b, 'revisions'))),
    revision: (n) => client.get<Revision>(`/api/revisions/${n}`, (b) => has(b, 'n') && has(b, 'table')),
    modeChanges: (route) => client.get<ModeChange[]>(`/api/mode-changes${q({ route })}`, Array.isArray),
    report: (f) => client.get<ReportDocument>(`/api/report${q({ since: f.since, route: f.route, endpoint: f.endpoint })}`, (b) => has(b, 'generatedAt') && Array.isArray(field(b, 'endpoints'))),
    sample: (id) =>
      client.find<StoredSample>(
        `/api/samples/${id}`,
        (b) => has(b, 'id') && has(b, 'request') && has(b, 'legacy'),
        (b) => String(field(b, 'error')).startsWith('no sample'),
      ),
    close: () => {},
  };
}
