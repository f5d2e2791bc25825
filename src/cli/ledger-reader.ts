import type { ReportDocument } from '../report/report-data.js';
import type { EndpointRow, progressReport } from '../admin/views.js';
import type { Guard, RouteSpec, TargetSpec } from '../rules/schema.js';
import type { StoredSample } from '../store/comparisons.js';
import type { ModeChange } from '../store/mode-changes.js';
import type { Revision, RevisionSummary } from '../store/revisions.js';

/**
 * What the read-only commands read, in the admin API's shapes, whether it
 * comes from the running proxy or straight from its database file: the
 * same `--json` either way, and one renderer per command.
 */

export interface RoutesView {
  revision: number;
  routes: RouteSpec[];
  legacy: TargetSpec;
  services: Record<string, TargetSpec>;
  guard: Guard;
}

export type ProgressView = ReturnType<typeof progressReport>;

export interface RevisionsView {
  inForce: number;
  revisions: RevisionSummary[];
}

export interface LedgerReader {
  /** For messages: `the admin API at URL` or `the database FILE`. */
  readonly where: string;
  /** Set when reading the file: the latest revision stands for the one in force. */
  readonly offline: boolean;
  routes(): Promise<RoutesView>;
  endpoints(since?: string): Promise<EndpointRow[]>;
  progress(since: string): Promise<ProgressView>;
  revisions(limit: number): Promise<RevisionsView>;
  revision(n: number): Promise<Revision>;
  modeChanges(route?: string): Promise<ModeChange[]>;
  /** The shadow report document, the same from the API and from the file. */
  report(filter: { since?: string; route?: string; endpoint?: string }): Promise<ReportDocument>;
  /** One stored sample; undefined when there is none by that id (retention may have removed it). */
  sample(id: number): Promise<StoredSample | undefined>;
  close(): void;
}
