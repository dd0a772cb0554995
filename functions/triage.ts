import type { Context } from 'aws-lambda';
import { emitCount } from './lib/aws/embedded-metric.js';
import { heartbeatMetric, isHeartbeat } from './lib/aws/health-metrics.js';
import { requireEnv } from './lib/env.js';
import { TRIAGE_ENVIRONMENT } from './lib/environments.js';
import { lazy } from './lib/lazy.js';
import { createLogger } from './lib/logger.js';

/**
 * Triage handler: thin wiring. The heartbeat is counted and acknowledged. Everything else (parse,
 * then exactly once per source event: classify, correlate, decide, record, start the runbook,
 * alert, answer a waiting run) is lib/triage-events.ts, loaded with the first event that needs it
 * and kept for the container's life: a cold start loads the logger and the configuration alone,
 * and each SDK client comes with the first event whose path uses it (`npm run bench` prints
 * both costs: the cold load, and the load with a first alert).
 */

const logger = createLogger('rebound-triage');
// Read here, at load: a configuration mistake fails INIT with a clear message, not an event.
const env = TRIAGE_ENVIRONMENT.read();
const region = requireEnv('AWS_REGION');

const triageEvents = lazy(async () =>
  (await import('./lib/triage-events.js')).createTriageEvents({ env, region, logger }),
);

export const handler = async (raw: unknown, context?: Context): Promise<void> => {
  if (context !== undefined) logger.addContext(context);
  if (isHeartbeat(raw, env.NAME_PREFIX)) {
    // The heartbeat came through the intake path: say so, and nothing else.
    emitCount(heartbeatMetric(env.STAGE));
    return;
  }
  await (await triageEvents())(raw, context);
};
