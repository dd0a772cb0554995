/**
 * What a typical first event loads besides a handler's entry module, for the bench's first-event
 * columns: the modules (paths from the project root) its path imports dynamically, split at the
 * alert: those imported before the alert is published (they delay it) and those imported after
 * it (they lengthen the invocation, not the alert). A handler whose bundle has chunks of its own
 * must be listed (sandbox/bench/cold-load.ts checks), with empty lists when its first event loads
 * none of them.
 */
export interface FirstEvent {
  /** Imported before the alert is published: the bench's "load + first alert". */
  readonly beforeAlert: readonly string[];
  /** Imported after it, by the rest of the same event: the bench's "load + whole event". */
  readonly afterAlert: readonly string[];
}

export const FIRST_EVENTS: Readonly<Record<string, FirstEvent>> = {
  // The web group's CPU alarm (test/functions/triage-handler.test.ts checks this split against
  // the handler), which pages with the group's live state, starts scale-out and schedules the
  // check of target tracking's promised recovery: before the alert the event path with DynamoDB,
  // then the guardrails (SSM), Step Functions (the alert links the started run), the fleet's
  // Describe clients (Auto Scaling, ELBv2) and SNS; after it Scheduler (functions/lib/core/
  // triage.ts). Not loaded by it: the RDS and ElastiCache Describe clients (alerts about those)
  // and the EC2 instance lookup.
  triage: {
    beforeAlert: [
      'functions/lib/triage-events.ts',
      'functions/lib/aws/guardrail-parameters.ts',
      'functions/lib/aws/clients/sfn.ts',
      'functions/lib/aws/clients/fleet.ts',
      'functions/lib/aws/clients/sns.ts',
    ],
    afterAlert: ['functions/lib/aws/clients/scheduler.ts'],
  },
  // Its first event is the check (may it act?), which loads nothing more: the CloudWatch client
  // (replica lag) loads with the first verify, minutes later (runbooks/rds-failover/handler.ts).
  'runbook-rds-failover': { beforeAlert: [], afterAlert: [] },
};
