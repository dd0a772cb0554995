import type { Signal, SignalKind } from '../signal.js';

/**
 * What a signal means for the shop, one true sentence per cause: a signal kind groups causes
 * that AWS and Rebound treat differently (an Auto Scaling launch failure and a memory-starved
 * instance are both `instance-health`), so the cause is read from the signal's part and
 * resource. Pure.
 */

type Cause =
  | 'launch-failed'
  | 'terminate-failed'
  | 'replaced-after-health-check'
  | 'unhealthy-targets'
  | 'in-service-low'
  | 'status-check-failed'
  | 'scheduled-retirement'
  | 'aws-health-issue'
  | 'gray-failure'
  | Exclude<SignalKind, 'instance-health'>;

/** EC2's status-check metrics: `StatusCheckFailed`, `_Instance`, `_System`, `_AttachedEBS`. */
export const isStatusCheckMetric = (metric: string | undefined): boolean =>
  metric?.startsWith('StatusCheckFailed') === true;

/** The cause of an `instance-health` signal, from where it came from. */
const instanceCause = (signal: Signal): Cause => {
  const { partKey, resource } = signal;
  if (partKey.startsWith('asg-launch:')) return 'launch-failed';
  if (partKey.startsWith('asg-terminate:')) return 'terminate-failed';
  if (partKey.startsWith('instance:')) return 'replaced-after-health-check';
  if (partKey.startsWith('health:')) {
    // classify-health writes the event's category into the summary.
    return signal.summary.includes('(scheduledChange')
      ? 'scheduled-retirement'
      : 'aws-health-issue';
  }
  if (resource.type === 'target-group' || resource.type === 'load-balancer') {
    return 'unhealthy-targets';
  }
  if (resource.type === 'auto-scaling-group') return 'in-service-low';
  if (isStatusCheckMetric(signal.metric)) return 'status-check-failed';
  return 'gray-failure';
};

export const causeOf = (signal: Signal): Cause =>
  signal.kind === 'instance-health' ? instanceCause(signal) : signal.kind;

/** What it breaks for customers, and what AWS does about it by itself. */
const IMPACT: Readonly<Record<Cause, string>> = {
  'launch-failed':
    'Auto Scaling could not launch a new web instance (the reason is in the summary), so the ' +
    'group runs below its desired capacity with less headroom. Auto Scaling retries the launch by itself.',
  'terminate-failed':
    'Auto Scaling could not terminate a web instance; the group may keep an instance it meant ' +
    'to remove. Auto Scaling retries by itself.',
  'replaced-after-health-check':
    'Auto Scaling terminated a web instance that failed its health check and launches a ' +
    'replacement; until it serves, the shop runs with less headroom.',
  'unhealthy-targets':
    'The load balancer sees unhealthy web instances and stops sending them traffic; Auto ' +
    'Scaling replaces instances that fail the target group health check. Until then the others ' +
    'carry the load.',
  'in-service-low':
    'Fewer web instances are in service than the group wants; Auto Scaling launches ' +
    'replacements by itself. Until then the shop runs with less headroom.',
  'status-check-failed':
    'The instance fails its EC2 status checks (it is unreachable or its host is impaired). Auto ' +
    'Scaling replaces an instance that fails EC2 status checks by itself; until then the load ' +
    'balancer stops sending it traffic once its health check fails.',
  'scheduled-retirement':
    'AWS scheduled maintenance or retirement of this instance: it will be stopped at the ' +
    'scheduled time. Nothing is broken yet; replacing it before then avoids losing it under load.',
  'aws-health-issue':
    "AWS Health reports an EC2 issue that may affect the shop's instances (AWS's words are " +
    'above). AWS works on it; instances that fail their health checks are replaced by Auto Scaling.',
  'gray-failure':
    'The instance is unhealthy in a way the load balancer and Auto Scaling health checks do not ' +
    'see (memory or disk exhaustion): it keeps receiving traffic and some requests may fail. AWS ' +
    'does not replace it by itself.',
  'capacity-pressure':
    'Slow pages possible; target tracking scales the group out by itself. If it is already at ' +
    'its maximum size, expect slow pages or errors until load drops or the maximum is raised.',
  'database-failover':
    'Database writes fail or hang for 1-2 minutes while the standby takes over; the shop ' +
    'reconnects through the same DNS name. Checkouts in flight may fail.',
  'database-degraded':
    'The database is degraded (storage, replication or a restart): pages that read or write ' +
    'orders may be slow or fail, and read replicas may serve stale data.',
  'cache-failover':
    'The cache is promoting a replica: cache writes fail for a few seconds, sessions and carts ' +
    'may be slow.',
  'cache-degraded':
    'The cache is degraded: more reads fall through to the database, so pages may be slower.',
  'az-impairment':
    'One Availability Zone is impaired: instances, the database primary or cache nodes in it ' +
    'may be lost, and the other zones must carry the traffic.',
  'runbook-failure':
    'An automatic recovery did not finish: the problem it was fixing may still be there.',
  informational: 'None expected: recorded for the timeline.',
};

/** The impact sentence of a problem signal's cause. */
export const impactOf = (signal: Signal): string => IMPACT[causeOf(signal)];

/** The impact sentence of informational signals. */
export const INFORMATIONAL_IMPACT = IMPACT.informational;

/** An alarm summary's tail, `(<alarm name> OK→ALARM)`: the email shows it, a subject has no room. */
const ALARM_TRANSITION = / \([^()]* [A-Z_]+(?:→|->)[A-Z_]+\)$/;

/**
 * What is wrong, short, for the subject and the SMS: the summary without the resource it starts
 * with (`<id>: …`, `<id> in <az>: …`), which they name once after it, and without an alarm's
 * name and transition. The email keeps the whole summary.
 */
export const whatIsWrong = (signal: Signal): string => {
  const summary = signal.summary.replace(ALARM_TRANSITION, '');
  const { id } = signal.resource;
  const match = summary.startsWith(id)
    ? /^(?: in [a-z0-9-]+)?: /.exec(summary.slice(id.length))
    : null;
  return match === null ? summary : summary.slice(id.length + match[0].length);
};
