import { DynamoDbActionLedger } from '../aws/dynamodb-action-ledger.js';
import { createDocumentClient } from '../aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from '../aws/dynamodb-incident-store.js';
import { loadGuardrails } from '../aws/guardrail-parameters.js';
import { systemClock } from '../core/ports.js';
import type { CHECK_ENVIRONMENT } from '../environments.js';
import type { CheckDeps } from './check.js';

/**
 * What every runbook check needs, wired from its Lambda environment: the incident store and
 * the action ledger on the incidents table, the guardrails read fresh on every call (a runbook
 * is about to act: never a cached kill switch), the system clock and the warning log. Call once
 * per container, at module scope.
 */
export const checkDepsFromEnv = (
  env: Readonly<Record<keyof typeof CHECK_ENVIRONMENT, string>>,
  warn: CheckDeps['warn'],
): CheckDeps & { readonly incidents: DynamoDbIncidentStore } => {
  const documents = createDocumentClient();
  return {
    guardrails: () => loadGuardrails(env.GUARDRAILS_PATH, { maxAgeSeconds: 0 }),
    incidents: new DynamoDbIncidentStore(documents, env.INCIDENTS_TABLE),
    ledger: new DynamoDbActionLedger(documents, env.INCIDENTS_TABLE),
    clock: systemClock,
    warn,
  };
};
