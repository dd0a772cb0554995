/**
 * What a typical first event loads besides a handler's entry module, for the bench's "load +
 * first alert" column: the modules (paths from the project root) its path imports dynamically.
 * A handler whose bundle has chunks of its own must be listed (sandbox/bench/cold-load.ts checks).
 */
export const FIRST_EVENT_MODULES: Readonly<Record<string, readonly string[]>> = {
  // The web group's CPU alarm (test/functions/triage-handler.test.ts), which pages with the
  // group's live state, starts scale-out and schedules the check of target tracking's promised
  // recovery: the event path with DynamoDB, then the guardrails (SSM), the fleet's Describe
  // clients (Auto Scaling, ELBv2), Step Functions, SNS and Scheduler. Not loaded by it: the RDS
  // and ElastiCache Describe clients (alerts about those) and the EC2 instance lookup.
  triage: [
    'functions/lib/triage-events.ts',
    'functions/lib/aws/guardrail-parameters.ts',
    'functions/lib/aws/clients/fleet.ts',
    'functions/lib/aws/clients/sfn.ts',
    'functions/lib/aws/clients/sns.ts',
    'functions/lib/aws/clients/scheduler.ts',
  ],
  // Its first event is the check (may it act?), which loads nothing more: the CloudWatch client
  // (replica lag) loads with the first verify, minutes later (runbooks/rds-failover/handler.ts).
  'runbook-rds-failover': [],
};
