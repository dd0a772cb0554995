import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { DynamoDbActionLedger } from './lib/aws/dynamodb-action-ledger.js';
import { createDocumentClient } from './lib/aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from './lib/aws/dynamodb-incident-store.js';
import { loadGuardrails } from './lib/aws/guardrail-parameters.js';
import { systemClock } from './lib/core/ports.js';
import { requireEnv } from './lib/env.js';
import { AwsCacheReader } from './lib/runbook/aws-cache-reader.js';
import {
  type CacheFailoverVerification,
  checkCacheFailover,
  parseCacheFailoverEvent,
  verifyCacheFailoverStep,
} from './lib/runbook/cache-failover.js';
import type { CheckResult } from './lib/runbook/check.js';

/**
 * Tasks `Check` and `FailoverVerify` of runbook cache-failover. `check`: may the run follow or
 * force a failover of the shop's replication group now (`$.guardrail`)? `verify`: has the
 * failover completed (`$.verify`)? Throws `InvalidInput` for input the state machine's own
 * checks let through; anything else it throws escalates.
 */

const replicas = Number(requireEnv('CACHE_REPLICAS'));
if (!Number.isInteger(replicas) || replicas < 1) {
  throw new Error(`CACHE_REPLICAS must be a positive integer, got "${process.env.CACHE_REPLICAS}"`);
}
const tableName = requireEnv('INCIDENTS_TABLE');
const guardrailsPath = requireEnv('GUARDRAILS_PATH');
const documents = createDocumentClient();
const deps = {
  // A runbook is about to act: read the kill switch fresh, never from a cache.
  guardrails: () => loadGuardrails(guardrailsPath, { maxAgeSeconds: 0 }),
  cache: new AwsCacheReader(new ElastiCacheClient({})),
  config: { replicationGroupId: requireEnv('REPLICATION_GROUP_ID'), replicas },
  incidents: new DynamoDbIncidentStore(documents, tableName),
  ledger: new DynamoDbActionLedger(documents, tableName),
  clock: systemClock,
  warn: (message: string, fields: Record<string, unknown>) =>
    console.warn(JSON.stringify({ level: 'WARN', message, ...fields })),
};

export const handler = async (event: unknown): Promise<CheckResult | CacheFailoverVerification> => {
  const parsed = parseCacheFailoverEvent(event);
  const result =
    parsed.step === 'check'
      ? await checkCacheFailover(parsed, deps)
      : await verifyCacheFailoverStep(parsed, deps);
  console.info(
    JSON.stringify({
      level: 'INFO',
      message: `cache-failover ${parsed.step}`,
      replicationGroupId: parsed.input.replicationGroupId,
      executionName: parsed.execution.name,
      ...result,
    }),
  );
  return result;
};
