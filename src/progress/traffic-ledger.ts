import type { RouteTable } from '../rules/compile.js';
import type { ExchangeFact } from '../router/proxy-handler.js';
import { BatchedWriter, type WriterOptions } from '../store/batched-writer.js';
import type { TrafficRecord, TrafficStore } from '../store/traffic.js';
import type { Logger } from '../log.js';
import { endpointFor } from './attribute.js';
import { TemplateLearner } from './template-learner.js';

/**
 * Exchange facts → the endpoint inventory and its per-minute traffic. The
 * hot path only queues the fact; attribution to an endpoint template and
 * the SQLite write happen in the writer's batch, off the request's path.
 */
export class TrafficLedger {
  readonly writer: BatchedWriter<ExchangeFact>;
  readonly learner: TemplateLearner;

  constructor(
    private readonly store: TrafficStore,
    private readonly table: () => RouteTable,
    logger: Logger,
    opts: WriterOptions = {},
  ) {
    this.learner = new TemplateLearner();
    this.writer = new BatchedWriter<ExchangeFact>((batch) => this.store.write(batch.map((f) => this.attribute(f))), {
      ...opts,
      onError: (err, lost) => {
        logger.error({ err: err.message, lost }, 'ledger batch could not be written; its records are counted as dropped');
        opts.onError?.(err, lost);
      },
    });
  }

  /** Hot path: queue, never wait. */
  record = (fact: ExchangeFact): void => {
    this.writer.push(fact);
  };

  private attribute(f: ExchangeFact): TrafficRecord {
    const route = f.route === null ? undefined : this.table().byName(f.route);
    const endpoint = endpointFor(f.method, f.url, route?.template ?? null, this.learner);
    return {
      method: endpoint.method,
      path: endpoint.path,
      route: f.route,
      target: f.target,
      status: f.status,
      fellBack: f.fellBack,
      startedAt: f.startedAt,
      durationMs: f.durationMs,
      bytesIn: f.bytesIn,
      bytesOut: f.bytesOut,
    };
  }

  close(): void {
    this.writer.close();
  }
}
