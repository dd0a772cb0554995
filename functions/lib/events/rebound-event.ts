import type { ArcAutoshiftEvent } from './arc-zonal-shift.js';
import type {
  AutoScalingActivityEvent,
  AutoScalingLifecycleEvent,
  AutoScalingRefreshEvent,
} from './autoscaling.js';
import type { AlarmStateChangeEvent } from './cloudwatch.js';
import type { Ec2InstanceEvent } from './ec2.js';
import type { ElastiCacheNotificationEvent } from './elasticache.js';
import type { HealthEvent } from './health.js';
import type { RdsInstanceEvent } from './rds.js';
import type { ExecutionStatusChangeEvent } from './states.js';

/**
 * Every event triage accepts, discriminated by `source` then `detail-type`, each with its typed
 * `detail`. ElastiCache SNS notifications appear as `source: 'rebound.elasticache'`.
 */
export type ReboundEvent =
  | AlarmStateChangeEvent
  | AutoScalingActivityEvent
  | AutoScalingLifecycleEvent
  | AutoScalingRefreshEvent
  | Ec2InstanceEvent
  | RdsInstanceEvent
  | HealthEvent
  | ExecutionStatusChangeEvent
  | ArcAutoshiftEvent
  | ElastiCacheNotificationEvent;

export type ParseResult =
  | { readonly ok: true; readonly events: ReboundEvent[] }
  | {
      readonly ok: false;
      readonly reason: string;
      /** `unsupported`: a source or detail-type triage does not handle; `invalid`: it failed its schema. */
      readonly kind: ParseFailureKind;
    };
export type ParseFailureKind = 'unsupported' | 'invalid';
