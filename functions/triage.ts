import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { DynamoDbActionLedger } from './lib/aws/dynamodb-action-ledger.js';
import { createDocumentClient } from './lib/aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from './lib/aws/dynamodb-incident-store.js';
import { DynamoDbRecoveryWaits } from './lib/aws/dynamodb-recovery-waits.js';
import { emitCount } from './lib/aws/embedded-metric.js';
import { lookUpGroupInstance } from './lib/aws/group-instances.js';
import { loadGuardrails } from './lib/aws/guardrail-parameters.js';
import { heartbeatMetric, ignoredEventMetric, isHeartbeat } from './lib/aws/health-metrics.js';
import { idempotentByKey } from './lib/aws/idempotency.js';
import { inventoryFromEnv, runbookArnsFromEnv } from './lib/aws/inventory-from-env.js';
import { recoveryTimerFromEnv } from './lib/aws/recovery-timer-from-env.js';
import { AwsResourceEnricher } from './lib/aws/resource-enricher.js';
import { SfnTaskAnswerer } from './lib/aws/sfn-task-answerer.js';
import { SnsAlertPublisher } from './lib/aws/sns-alert-publisher.js';
import { StepFunctionsRunbookStarter } from './lib/aws/step-functions-runbook-starter.js';
import { classify } from './lib/core/classify.js';
import { systemClock } from './lib/core/ports.js';
import {
  answerRecoveryWait,
  type RecoveryAnnouncementDeps,
} from './lib/core/recovery-announcements.js';
import { triageRecoveryCheck } from './lib/core/stalled.js';
import { type TriageDeps, triageSignal } from './lib/core/triage.js';
import { requireEnv } from './lib/env.js';
import { TRIAGE_ENVIRONMENT } from './lib/environments.js';
import { idempotencyKeyOf, parseIncomingEvent, type ReboundEvent } from './lib/events/index.js';
import { parseRecoveryCheck } from './lib/events/recovery-check.js';
import { createLogger } from './lib/logger.js';

/**
 * Triage handler: thin wiring. The heartbeat is counted and acknowledged. Parse (bad input is
 * logged, counted and acknowledged, never retried),
 * then per event, exactly once per source event (idempotency on DynamoDB, fail closed):
 * classify, correlate, decide, record, start the runbook, alert, then answer the run waiting
 * for the recovery the event announces (recovery-announcements.ts).
 */

const logger = createLogger('rebound-triage');
const env = TRIAGE_ENVIRONMENT.read();

// Powertools idempotency marshals its own records: it gets the plain client, the stores the
// document client over the same connection pool.
const dynamoClient = new DynamoDBClient({});
const dynamo = createDocumentClient(dynamoClient);
const autoScaling = new AutoScalingClient({});
const stepFunctions = new SFNClient({});
const runbookArns = runbookArnsFromEnv(env);
const shopInventory = inventoryFromEnv(env, runbookArns);

const deps: TriageDeps = {
  stage: env.STAGE,
  region: requireEnv('AWS_REGION'),
  store: new DynamoDbIncidentStore(dynamo, env.INCIDENTS_TABLE),
  ledger: new DynamoDbActionLedger(dynamo, env.INCIDENTS_TABLE),
  guardrails: () => loadGuardrails(env.GUARDRAILS_PATH),
  runbooks: new StepFunctionsRunbookStarter(stepFunctions, runbookArns),
  alerts: new SnsAlertPublisher(new SNSClient({}), env.ALERTS_TOPIC_ARN),
  enricher: new AwsResourceEnricher(
    {
      autoScaling,
      rds: new RDSClient({}),
      elastiCache: new ElastiCacheClient({}),
      elbv2: new ElasticLoadBalancingV2Client({}),
    },
    // Alerts must not wait on Describe calls for long: the alert goes out without live state.
    { timeBudgetMs: 3000, targetGroupArn: env.TARGET_GROUP_ARN },
  ),
  timer: recoveryTimerFromEnv(new SchedulerClient({}), env),
  clock: systemClock,
};

/** The runs waiting for AWS to announce a recovery (runbooks/kit/verify-loop.ts). */
const announcements: RecoveryAnnouncementDeps = {
  waits: new DynamoDbRecoveryWaits(dynamo, env.INCIDENTS_TABLE),
  answerer: new SfnTaskAnswerer(stepFunctions),
};

const triageOnce = idempotentByKey(
  async ({ event }: { idempotencyKey: string; event: ReboundEvent }) => {
    // Only EC2 events name an instance alone: the others need no lookup.
    const inventory =
      event.source === 'aws.ec2'
        ? {
            ...shopInventory,
            groupInstances: await lookUpGroupInstance(
              autoScaling,
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

export const handler = async (raw: unknown, context?: Context): Promise<void> => {
  if (context !== undefined) logger.addContext(context);
  if (isHeartbeat(raw, env.NAME_PREFIX)) {
    // The heartbeat came through the intake path: say so, and nothing else.
    emitCount(heartbeatMetric(env.STAGE));
    return;
  }
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
