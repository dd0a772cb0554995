import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoDbActionLedger } from './aws/dynamodb-action-ledger.js';
import { createDocumentClient } from './aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from './aws/dynamodb-incident-store.js';
import { DynamoDbRecoveryWaits } from './aws/dynamodb-recovery-waits.js';
import { emitCount } from './aws/embedded-metric.js';
import { ignoredEventMetric } from './aws/health-metrics.js';
import { idempotentByKey } from './aws/idempotency.js';
import { inventoryFromEnv, runbookArnsFromEnv } from './aws/inventory-from-env.js';
import { AwsResourceEnricher } from './aws/resource-enricher.js';
import { AwsZoneLocator, TRIAGE_ZONE_LOOKUP } from './aws/zone-locator.js';
import { classify } from './core/classify.js';
import { systemClock } from './core/ports.js';
import {
  answerRecoveryWait,
  type RecoveryAnnouncementDeps,
} from './core/recovery-announcements.js';
import { triageRecoveryCheck } from './core/stalled.js';
import { type TriageDeps, triageSignal } from './core/triage.js';
import type { TRIAGE_ENVIRONMENT } from './environments.js';
import { idempotencyKeyOf, parseIncomingEvent, type ReboundEvent } from './events/index.js';
import { parseRecoveryCheck } from './events/recovery-check.js';
import { lazy } from './lazy.js';

/**
 * Everything triage does past the heartbeat (functions/triage.ts loads this module with the
 * first event). Parse (bad input is logged, counted and acknowledged, never retried), then per
 * event, exactly once per source event (idempotency on DynamoDB, fail closed): classify,
 * correlate, decide, record, start the runbook, alert, then answer the run waiting for the
 * recovery the event announces (recovery-announcements.ts).
 *
 * DynamoDB serves every event and is loaded with this module. Every other client is loaded by
 * the first event whose path needs it (aws/clients/): SNS to alert, Step Functions to start a
 * runbook or answer a task token, Scheduler to promise a recovery check, the Describe clients to
 * enrich an alert, Auto Scaling to place an EC2 instance, SSM to read the guardrails.
 */

type TriageEnv = ReturnType<typeof TRIAGE_ENVIRONMENT.read>;

export interface TriageEventsOptions {
  readonly env: TriageEnv;
  readonly region: string;
  readonly logger: Logger;
}

export type TriageEvents = (raw: unknown, context?: Context) => Promise<void>;

export const createTriageEvents = ({ env, region, logger }: TriageEventsOptions): TriageEvents => {
  // Powertools idempotency marshals its own records: it gets the plain client, the stores the
  // document client over the same connection pool.
  const dynamoClient = new DynamoDBClient({});
  const dynamo = createDocumentClient(dynamoClient);
  const runbookArns = runbookArnsFromEnv(env);
  const shopInventory = inventoryFromEnv(env, runbookArns);

  // A module's `import()` runs it once per container (its client with it); `lazy` builds each
  // adapter over it once.
  const alerts = lazy(async () =>
    (await import('./aws/clients/sns.js')).createAlertPublisher(env.ALERTS_TOPIC_ARN),
  );
  const stepFunctions = () => import('./aws/clients/sfn.js');
  const runbooks = lazy(async () => (await stepFunctions()).createRunbookStarter(runbookArns));
  const answerer = lazy(async () => (await stepFunctions()).createTaskAnswerer());
  const timer = lazy(async () =>
    (await import('./aws/clients/scheduler.js')).createRecoveryTimer(env),
  );
  const guardrails = () => import('./aws/guardrail-parameters.js');
  // One Describe client per resource kind, loaded with the first alert about that kind.
  const fleet = async () => (await import('./aws/clients/fleet.js')).fleetDescribers;
  const rds = () => import('./aws/clients/rds.js');
  const elastiCache = () => import('./aws/clients/elasticache.js');
  const database = async () => (await rds()).databaseDescriber;
  const cache = async () => (await elastiCache()).cacheDescriber;
  const enricher = new AwsResourceEnricher(
    {
      group: async (name, signal) => (await fleet()).group(name, signal),
      instance: async (id, targetGroupArn, signal) =>
        (await fleet()).instance(id, targetGroupArn, signal),
      targets: async (arn, id, signal) => (await fleet()).targets(arn, id, signal),
      database: async (id, signal) => (await database()).database(id, signal),
      cache: async (id, signal) => (await cache()).cache(id, signal),
    },
    // Alerts must not wait on Describe calls for long: the alert goes out without live state.
    { timeBudgetMs: 3000, targetGroupArn: env.TARGET_GROUP_ARN },
  );
  const autoScaling = () => import('./aws/clients/auto-scaling.js');
  const targetZones = async () => (await import('./aws/clients/cloudwatch.js')).targetZones;
  // Where a failover, the unhealthy hosts or the targets' 5xx were, when the event does not say (zone-questions.ts).
  const zones = new AwsZoneLocator(
    {
      dbInstance: async (id, signal) => (await rds()).databaseZones.dbInstance(id, signal),
      unavailableCacheMembers: async (id, signal) =>
        (await elastiCache()).cacheZones.unavailableCacheMembers(id, signal),
      unhealthyTargets: async (query, signal) =>
        (await targetZones()).unhealthyTargets(query, signal),
      targetErrors: async (query, signal) => (await targetZones()).targetErrors(query, signal),
    },
    {
      ...TRIAGE_ZONE_LOOKUP,
      availabilityZones: shopInventory.availabilityZones,
      clock: systemClock,
      onFailure: (question, why) =>
        logger.warn('triage could not tell the AZ; going on without', {
          question,
          why: why instanceof Error ? `${why.name}: ${why.message}` : String(why),
        }),
    },
  );

  const deps: TriageDeps = {
    stage: env.STAGE,
    region,
    store: new DynamoDbIncidentStore(dynamo, env.INCIDENTS_TABLE),
    ledger: new DynamoDbActionLedger(dynamo, env.INCIDENTS_TABLE),
    guardrails: async () => (await guardrails()).loadGuardrails(env.GUARDRAILS_PATH),
    runbooks: {
      start: async (runbook, executionName, input) =>
        (await runbooks()).start(runbook, executionName, input),
    },
    alerts: { publish: async (alert) => (await alerts()).publish(alert) },
    enricher,
    zones,
    timer: {
      schedule: async (check) => (await timer()).schedule(check),
      cancel: async (name) => (await timer()).cancel(name),
    },
    clock: systemClock,
  };

  /** The runs waiting for AWS to announce a recovery (runbooks/kit/verify-loop.ts). */
  const announcements: RecoveryAnnouncementDeps = {
    waits: new DynamoDbRecoveryWaits(dynamo, env.INCIDENTS_TABLE),
    answerer: { succeed: async (token, output) => (await answerer()).succeed(token, output) },
  };

  const triageOnce = idempotentByKey(
    async ({ event }: { idempotencyKey: string; event: ReboundEvent }) => {
      // Only EC2 events name an instance alone: the others need no lookup.
      const inventory =
        event.source === 'aws.ec2'
          ? {
              ...shopInventory,
              groupInstances: await (await autoScaling()).groupInstanceOf(
                shopInventory.autoScalingGroupName,
                event.detail['instance-id'],
              ),
            }
          : shopInventory;
      const outcome = await triageSignal(classify(event, inventory), deps);
      // After the incident is recorded (az-evacuation's verify reads it); never throws.
      const recoveryWait = await answerRecoveryWait(outcome.signal, announcements);
      return {
        signal: outcome.signal && { kind: outcome.signal.kind, phase: outcome.signal.phase },
        incidentId: outcome.incident?.id ?? null,
        decision: outcome.decision,
        executionArn: outcome.execution?.executionArn ?? null,
        alerted: outcome.alert !== null,
        recoveryWait,
      };
    },
    { tableName: env.IDEMPOTENCY_TABLE, client: dynamoClient },
  );

  return async (raw, context) => {
    const check = parseRecoveryCheck(raw);
    if (check !== undefined) {
      // A promised recovery is due (EventBridge Scheduler); the check itself is idempotent.
      const outcome = await triageRecoveryCheck(check, deps);
      logger.info('recovery check', {
        check: check.name,
        incidentId: check.incidentId,
        decision: outcome.decision,
        alerted: outcome.alert !== null,
      });
      return;
    }
    const parsed = parseIncomingEvent(raw);
    if (!parsed.ok) {
      // Acknowledged without action: it would never become valid on retry. Counted, so that a
      // source AWS changed under a schema alarms instead of going quiet.
      logger.warn('triage ignored malformed input', { reason: parsed.reason, kind: parsed.kind });
      emitCount(ignoredEventMetric(raw, parsed.kind));
      return;
    }
    for (const event of parsed.events) {
      const idempotencyKey = idempotencyKeyOf(event);
      const result = await triageOnce({ idempotencyKey, event }, context);
      logger.info('triage decision', {
        idempotencyKey,
        eventId: event.id,
        source: event.source,
        detailType: event['detail-type'],
        ...result,
      });
      if (typeof result.recoveryWait === 'object') {
        // Not fatal: the waiting run's poll finds the recovery within one interval.
        logger.warn('triage could not answer the run waiting for this recovery', {
          eventId: event.id,
          ...result.recoveryWait,
        });
      }
    }
  };
};
