import { formatRuleErrors } from '../rules/load.js';
import { createLogger, type Logger } from '../log.js';
import { startProxy, type RunningProxy } from '../router/proxy.js';
import { readRuleFile, watchRuleFile } from '../router/rule-file-watch.js';

export interface StartedStrangler {
  proxy: RunningProxy;
  stop(): Promise<void>;
}

/** Grace period for in-flight requests at shutdown. */
const DRAIN_MS = 10_000;

/**
 * `strangler start`: load the rule file, serve, follow its changes, reload
 * on SIGHUP, drain on SIGTERM/SIGINT.
 */
export async function startFromFile(file: string, opts: { listen?: string; logger?: Logger; signals?: boolean } = {}): Promise<StartedStrangler> {
  const logger = opts.logger ?? createLogger();
  const loaded = await readRuleFile(file);
  if (!loaded.ok) {
    throw Object.assign(new Error(`invalid rule file:\n${formatRuleErrors(loaded.errors)}`), { exitCode: 1 });
  }
  const proxy = await startProxy({ rules: loaded.rules, listen: opts.listen, logger });
  let listenWarned = false;
  const watcher = watchRuleFile(
    file,
    (rules) => {
      if (rules.listen !== loaded.rules.listen && !opts.listen && !listenWarned) {
        listenWarned = true;
        logger.warn({ file, listen: rules.listen }, 'listen changed in the rule file; it takes effect at the next start');
      }
      proxy.swap(rules);
    },
    logger,
  );
  logger.info({ listen: proxy.url, file, routes: loaded.rules.routes.length }, `strangler listening on ${proxy.url}`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      watcher.close();
      process.off('SIGHUP', onHup);
      const drained = new Promise<void>((resolve) => proxy.server.close(() => resolve()));
      proxy.server.closeIdleConnections();
      const timer = setTimeout(() => proxy.server.closeAllConnections(), DRAIN_MS);
      await drained;
      clearTimeout(timer);
      await proxy.close();
    })());
  const onHup = () => void watcher.reload();
  if (opts.signals !== false) {
    process.on('SIGHUP', onHup);
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        logger.info({ signal: sig }, 'draining and stopping');
        stop().then(() => process.exit(0));
      });
    }
  }
  return { proxy, stop };
}
