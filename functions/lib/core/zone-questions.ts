import type { Signal } from './signal.js';

/**
 * The AZ a signal is about when its event does not name one but AWS's own state tells it: the
 * parts of one AZ outage (the failovers of primaries that lived there, the web tier's unhealthy
 * hosts) then share the AZ's scope key and join one incident (correlate.ts). Pure: triage asks
 * a {@link ZoneLocator} (ports.ts; functions/lib/aws/zone-locator.ts) and goes on without an AZ,
 * as before, when it cannot tell.
 */
export type ZoneQuestion =
  /**
   * RDS instance events carry no AZ (AWS-FACTS). At a Multi-AZ failover's start (RDS-EVENT-0013)
   * the instance is still described in the AZ it is failing away from.
   */
  | { readonly type: 'db-failover'; readonly dbInstanceId: string }
  /**
   * ElastiCache notifications name a group or a node, no AZ: after a failover, the AZ of the
   * members that are not available (the failed primary ElastiCache replaces).
   */
  | { readonly type: 'cache-failover'; readonly replicationGroupId: string }
  /** The target group's unhealthy-hosts alarm has no AZ dimension: where its unhealthy targets run. */
  | ({ readonly type: 'unhealthy-targets' } & TargetGroupOfAlb)
  /**
   * The targets' 5xx alarm (a count or a rate) has no AZ dimension: the AZ whose targets answer
   * 5xx out of proportion to their requests, when one does (a gray failure of one AZ).
   */
  | ({ readonly type: 'target-errors' } & TargetGroupOfAlb);

/** An alarm's ALB dimensions (`targetgroup/<name>/<id>`, `app/<name>/<id>`). */
export interface TargetGroupOfAlb {
  readonly targetGroup: string;
  readonly loadBalancer: string;
}

/** What to ask about `signal`'s AZ, if anything (it names none, and it may join or open a part). */
export const zoneQuestionOf = (signal: Signal): ZoneQuestion | undefined => {
  if (
    signal.availabilityZone !== undefined ||
    signal.phase === 'recovered' ||
    signal.untrusted !== undefined
  ) {
    return undefined;
  }
  const { resource } = signal;
  if (
    signal.kind === 'database-failover' &&
    signal.phase === 'problem' &&
    signal.dbRole === 'primary' &&
    resource.type === 'db-instance'
  ) {
    return { type: 'db-failover', dbInstanceId: resource.id };
  }
  if (signal.kind === 'cache-failover' && resource.type === 'cache-replication-group') {
    return { type: 'cache-failover', replicationGroupId: resource.id };
  }
  const loadBalancer = signal.related.find((related) => related.type === 'load-balancer');
  if (
    signal.kind === 'instance-health' &&
    resource.type === 'target-group' &&
    loadBalancer !== undefined
  ) {
    return { type: 'unhealthy-targets', targetGroup: resource.id, loadBalancer: loadBalancer.id };
  }
  const targetGroup = signal.related.find((related) => related.type === 'target-group');
  if (
    signal.metric === 'HTTPCode_Target_5XX_Count' &&
    resource.type === 'load-balancer' &&
    targetGroup !== undefined
  ) {
    return { type: 'target-errors', targetGroup: targetGroup.id, loadBalancer: resource.id };
  }
  return undefined;
};

/** `signal` placed in `availabilityZone`, when one was found. */
export const inZone = (signal: Signal, availabilityZone: string | undefined): Signal =>
  availabilityZone === undefined ? signal : { ...signal, availabilityZone };
