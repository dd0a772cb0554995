import { connect } from 'node:net';
import { type EmfCounters, emfDocuments } from './emf.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/**
 * Sends the shop's metrics to the CloudWatch agent's EMF listener every `intervalMs`: the
 * counters' change since the last window and the request durations of the window, one JSON
 * document per line over TCP (the agent's default socket is tcp:25888). The agent being away
 * loses that window's metrics, never a request: the failure is logged, once until it recovers.
 */

export interface EmfTarget {
  readonly host: string;
  readonly port: number;
  readonly autoScalingGroupName: string;
}

export interface EmfEmitter {
  /** Sends the current window now (also at every interval). */
  flush(): Promise<void>;
  /** Stops the timer after a last flush. */
  stop(): Promise<void>;
}

const COUNTERS: readonly (keyof EmfCounters)[] = [
  'cacheHits',
  'cacheMisses',
  'dbErrors',
  'checkouts',
  'checkoutErrors',
];

const send = (target: EmfTarget, lines: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = connect(target.port, target.host);
    socket.setTimeout(2_000, () => socket.destroy(new Error('no answer within 2 s')));
    socket.once('error', reject);
    socket.end(lines, () => resolve());
  });

export const startEmfEmitter = (
  metrics: Metrics,
  target: EmfTarget,
  logger: Logger,
  intervalMs = 10_000,
  now: () => number = Date.now,
): EmfEmitter => {
  // The first window starts now: counters from here, durations recorded from here.
  let previous: Record<string, number> = metrics.snapshot();
  metrics.drainLatencies();
  let failing = false;
  const flush = async () => {
    const current = metrics.snapshot();
    const counters = Object.fromEntries(
      COUNTERS.map((key) => [key, (current[key] ?? 0) - (previous[key] ?? 0)]),
    ) as unknown as EmfCounters;
    previous = current;
    const documents = emfDocuments({
      autoScalingGroupName: target.autoScalingGroupName,
      timestamp: now(),
      counters,
      latencies: metrics.drainLatencies(),
    });
    try {
      await send(target, `${documents.map((d) => JSON.stringify(d)).join('\n')}\n`);
      if (failing) logger.info({ host: target.host, port: target.port }, 'metrics sent again');
      failing = false;
    } catch (error) {
      if (!failing)
        logger.warn(
          { host: target.host, port: target.port, err: (error as Error).message },
          'metrics not sent: the CloudWatch agent EMF listener did not take them',
        );
      failing = true;
    }
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    flush,
    stop: async () => {
      clearInterval(timer);
      await flush();
    },
  };
};
