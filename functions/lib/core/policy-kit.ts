import type { AwsSelfHealing, Signal } from './signal.js';

/** What the policy rows (policy.ts and each runbook's triggers in the registry) say and read. */

export const SELF_HEALER: Readonly<Record<AwsSelfHealing['by'], string>> = {
  'auto-scaling': 'EC2 Auto Scaling replaces instances that fail their health checks by itself',
  rds: 'RDS recovers this by itself (Multi-AZ failover typically takes 60-120 s)',
  elasticache: 'ElastiCache recovers this by itself',
  'target-tracking': 'target tracking scaling adds capacity by itself',
};

/** The alarm a signal came from, when it came from one. */
export const alarmNameOf = (signal: Signal): string | undefined =>
  signal.partKey.startsWith('alarm:') ? signal.partKey.slice('alarm:'.length) : undefined;

/** An AZ name such as `us-east-1a` (AWS Health may leave an unmapped AZ ID like `use1-az2`). */
export const AZ_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}[a-z]$/;

/** An AZ signal from ARC zonal autoshift: AWS is already shifting traffic away from the AZ. */
export const isAutoshift = (signal: Signal): boolean =>
  signal.source.source === 'aws.arc-zonal-shift';

/** The run's `reason` input: the signal's summary, bounded. */
export const reasonOf = (signal: Signal): string => signal.summary.slice(0, 256);

/**
 * The part of a primary DB that failed in a way a Multi-AZ failover recovers, opened only by
 * the RDS event IDs classify-rds.ts lists (RDS-EVENT-0031). Every other RDS `failure` event
 * (storage autoscaling notices, enhanced-monitoring and KMS-key errors, invalid parameters or
 * network, which the standby shares) and the 0004 shutdown (part of every reboot, Rebound's own
 * forced failover included) only notifies.
 */
export const PRIMARY_FAILURE_PART = 'db-primary-failure';
