import { DynamoDbActionLedger } from '../aws/dynamodb-action-ledger.js';
import { createDocumentClient } from '../aws/dynamodb-documents.js';
import { DynamoDbIncidentStore } from '../aws/dynamodb-incident-store.js';
import { systemClock } from '../core/ports.js';
import type { CHECK_ENVIRONMENT } from '../environments.js';
import type { CheckDeps } from './check.js';
import { guardrailsFromRead } from './guardrail-read.js';

/**
 * What every runbook check needs, wired from its Lambda environment: the incident store and
 * the action ledger on the incidents table, the system clock and the warning log. Call once
 * per container, at module scope; {@link withGuardrailRead} adds each invocation's guardrails.
 */
export const checkDepsFromEnv = (
  env: Readonly<Record<keyof typeof CHECK_ENVIRONMENT, string>>,
  warn: CheckDeps['warn'],
): Omit<CheckDeps, 'guardrails'> & {
  readonly incidents: DynamoDbIncidentStore;
  readonly guardrailsPath: string;
} => {
  const documents = createDocumentClient();
  return {
    incidents: new DynamoDbIncidentStore(documents, env.INCIDENTS_TABLE),
    ledger: new DynamoDbActionLedger(documents, env.INCIDENTS_TABLE),
    clock: systemClock,
    warn,
    guardrailsPath: env.GUARDRAILS_PATH,
  };
};

/**
 * `deps` with the guardrails the state machine read for this invocation (`event`, the step's
 * payload: guardrail-read.ts): read at the step, never a cached kill switch.
 */
export const withGuardrailRead = <D extends { readonly guardrailsPath: string }>(
  deps: D,
  event: unknown,
): D & Pick<CheckDeps, 'guardrails'> => ({
  ...deps,
  guardrails: async () => guardrailsFromRead(event, deps.guardrailsPath),
});
