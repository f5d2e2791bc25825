/**
 * The dashboard reads the admin API's JSON through src/admin/ui/wire.ts.
 * The server types it cannot import (they live in modules that reach
 * SQLite and Node, which the browser build must not compile) are spelt out
 * there a second time. This file is never run, only type-checked (`npm
 * test` and `npm run typecheck` run tsc on test/): each server type must
 * fit the dashboard's reading of it, so a field renamed, dropped or
 * retyped on the server fails the tests instead of leaving a page blank.
 *
 * StoredSample is left out: the server keeps the sides of a sample as
 * `unknown` (stored JSON), which the dashboard reads as SideBySideSample.
 */
import type * as Wire from '../src/admin/ui/wire.js';
import type { PausedTarget } from '../src/admin/metrics.js';
import type { RevisionDiff } from '../src/admin/revision-diff.js';
import type { SampleCurl } from '../src/admin/sample-curl.js';
import type { TimeSeries } from '../src/admin/timeseries.js';
import type { progressReport } from '../src/admin/views.js';
import type { DifferenceGroupReport, EndpointReport, ReportDocument } from '../src/report/report-data.js';
import type { ModeChange } from '../src/store/mode-changes.js';
import type { RevisionSummary } from '../src/store/revisions.js';

/** Compiles only when `Server` can be read as `Ui`. */
type Fits<Server extends Ui, Ui> = [Server, Ui];

export type WireChecks = [
  Fits<DifferenceGroupReport, Wire.DifferenceGroup>,
  Fits<EndpointReport, Wire.EndpointReport>,
  Fits<ReturnType<typeof progressReport>, Wire.Progress>,
  Fits<ReportDocument, Wire.ReportDocument>,
  Fits<{ paused: PausedTarget[] }, Wire.PausedAnswer>,
  Fits<TimeSeries, Wire.TimeSeries>,
  Fits<RevisionSummary, Wire.RevisionSummary>,
  Fits<RevisionDiff, Wire.RevisionDiff>,
  Fits<SampleCurl, Wire.SampleCurl>,
  Fits<ModeChange, Wire.ModeChange>,
];
