import { defineEnvironment } from './env.js';

/**
 * The environment of each function in functions/ (and the part every runbook step function
 * shares), as its construct sets it and its handler reads it. Each runbook's own step function
 * has its contract in runbooks/<name>/environment.ts. The examples are what `npm run bench`
 * loads the bundles with: placeholders of the right form, never real values.
 */

const EXAMPLE_INCIDENTS_TABLE = 'rebound-dev-incidents';
const EXAMPLE_ALERTS_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:rebound-dev-alerts';
const EXAMPLE_GUARDRAILS_PATH = '/rebound/dev/guardrails/';
const EXAMPLE_SIGNING_KEY_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:rebound-dev-approval-signing-key-AbCdEf';
const EXAMPLE_TARGET_GROUP_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/rebound-dev-web/0123456789abcdef';
const EXAMPLE_GROUP_NAME = 'rebound-dev-web';
/** The shop's AZ IDs, resolved at deploy (functions/lib/az-ids.ts). */
export const EXAMPLE_AVAILABILITY_ZONE_IDS =
  'use1-az2=us-east-1a,use1-az4=us-east-1b,use1-az1=us-east-1c';

/** Where a recovery check is scheduled and what it invokes (see scheduler-recovery-timer.ts). */
export const RECOVERY_CHECK_ENVIRONMENT = defineEnvironment({
  RECOVERY_CHECK_GROUP: 'rebound-dev-recovery-checks',
  RECOVERY_CHECK_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:rebound-dev-triage',
  RECOVERY_CHECK_ROLE_ARN: 'arn:aws:iam::123456789012:role/rebound-dev-recovery-checks',
  RECOVERY_CHECK_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:rebound-dev-triage-dlq',
});

/** What every runbook's check reads: the incident table (and ledger) and the guardrails. */
export const CHECK_ENVIRONMENT = {
  INCIDENTS_TABLE: EXAMPLE_INCIDENTS_TABLE,
  GUARDRAILS_PATH: EXAMPLE_GUARDRAILS_PATH,
} as const;

/** What a runbook that reads the web fleet adds to its check: the group and its target group. */
export const FLEET_CHECK_ENVIRONMENT = {
  ...CHECK_ENVIRONMENT,
  AUTO_SCALING_GROUP_NAME: EXAMPLE_GROUP_NAME,
  TARGET_GROUP_ARN: EXAMPLE_TARGET_GROUP_ARN,
} as const;

export const TRIAGE_ENVIRONMENT = defineEnvironment({
  STAGE: 'dev',
  NAME_PREFIX: 'rebound-dev',
  INCIDENTS_TABLE: EXAMPLE_INCIDENTS_TABLE,
  IDEMPOTENCY_TABLE: 'rebound-dev-triage-idempotency',
  ALERTS_TOPIC_ARN: EXAMPLE_ALERTS_TOPIC_ARN,
  GUARDRAILS_PATH: EXAMPLE_GUARDRAILS_PATH,
  /** Exact names of the shop stack's alarms, comma-separated: the only alarms that may act. */
  SHOP_ALARM_NAMES: 'rebound-dev-web-cpu-high,rebound-dev-db-cpu-high',
  AUTO_SCALING_GROUP_NAME: EXAMPLE_GROUP_NAME,
  TARGET_GROUP_ARN: EXAMPLE_TARGET_GROUP_ARN,
  /** The primary first, then the read replicas, comma-separated. */
  DB_INSTANCE_IDS: 'rebound-dev-db,rebound-dev-db-replica-1',
  CACHE_REPLICATION_GROUP_ID: 'rebound-dev-cache',
  AVAILABILITY_ZONES: 'us-east-1a,us-east-1b,us-east-1c',
  AVAILABILITY_ZONE_IDS: EXAMPLE_AVAILABILITY_ZONE_IDS,
  /** Runbook name → state machine ARN, as JSON. */
  RUNBOOK_STATE_MACHINES: '{}',
  ...RECOVERY_CHECK_ENVIRONMENT.example,
});

export const REPORT_ENVIRONMENT = defineEnvironment({
  INCIDENTS_TABLE: EXAMPLE_INCIDENTS_TABLE,
  ALERTS_TOPIC_ARN: EXAMPLE_ALERTS_TOPIC_ARN,
  GUARDRAILS_PATH: EXAMPLE_GUARDRAILS_PATH,
});

export const APPROVALS_ENVIRONMENT = defineEnvironment({
  INCIDENTS_TABLE: EXAMPLE_INCIDENTS_TABLE,
  ALERTS_TOPIC_ARN: EXAMPLE_ALERTS_TOPIC_ARN,
  /** For the `npm run runbook -- approve|reject` command the request shows. */
  STAGE: 'dev',
  /** `links` or `iam` (functions/lib/approval/ports.ts, APPROVAL_MODES). */
  APPROVAL_MODE: 'links',
});

/** What the approvals function adds when the mode is `links`: the endpoint and its key. */
export const APPROVAL_LINKS_ENVIRONMENT = defineEnvironment({
  SIGNING_KEY_SECRET_ARN: EXAMPLE_SIGNING_KEY_SECRET_ARN,
  APPROVAL_ENDPOINT_URL: 'https://abcdefghij.lambda-url.us-east-1.on.aws/',
});

export const APPROVAL_ENDPOINT_ENVIRONMENT = defineEnvironment({
  INCIDENTS_TABLE: EXAMPLE_INCIDENTS_TABLE,
  SIGNING_KEY_SECRET_ARN: EXAMPLE_SIGNING_KEY_SECRET_ARN,
});

/** Each function in functions/ by handler file name: what the bench loads it with. */
export const FUNCTION_ENVIRONMENTS = {
  triage: TRIAGE_ENVIRONMENT,
  // The report's recovery-check variables are added once triage's schedule group exists.
  'runbook-report': defineEnvironment({
    ...REPORT_ENVIRONMENT.example,
    ...RECOVERY_CHECK_ENVIRONMENT.example,
  }),
  approvals: defineEnvironment({
    ...APPROVALS_ENVIRONMENT.example,
    ...APPROVAL_LINKS_ENVIRONMENT.example,
  }),
  'approval-endpoint': APPROVAL_ENDPOINT_ENVIRONMENT,
} as const;
