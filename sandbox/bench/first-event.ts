/**
 * What a typical first event loads besides a handler's entry module, for the bench's "load +
 * first alert" column: the modules (paths from the project root) its path imports dynamically.
 * A handler whose bundle has chunks of its own must be listed (sandbox/bench/cold-load.ts checks).
 */
export const FIRST_EVENT_MODULES: Readonly<Record<string, readonly string[]>> = {
  // A CloudWatch alarm that pages with the resource's live state and starts a runbook: the event
  // path with DynamoDB, then the guardrails (SSM), the Describe clients, Step Functions and SNS.
  // Not loaded by it: Scheduler (a recovery AWS promised) and the Auto Scaling lookup (EC2 events).
  triage: [
    'functions/lib/triage-events.ts',
    'functions/lib/aws/guardrail-parameters.ts',
    'functions/lib/aws/clients/describe.ts',
    'functions/lib/aws/clients/sfn.ts',
    'functions/lib/aws/clients/sns.ts',
  ],
};
