import type { RdsInstanceEvent } from '../events/rds.js';
import type { Severity } from '../severity.js';
import {
  dbInstanceIdOf,
  dbRoleOf,
  ownsDb,
  ref,
  relatedDbs,
  selfHealing,
  signalOf,
} from './classify-common.js';
import type { ShopInventory } from './inventory.js';
import { PRIMARY_FAILURE_PART } from './policy-kit.js';
import type { AwsSelfHealing, Signal, SignalKind } from './signal.js';

/**
 * RDS DB instance events, by event ID only: the message text is for people, not for matching.
 * Parts pair a problem with its recovery (`db-failover:<id>` opened by 0013, closed by 0049).
 * IDs and meanings: Amazon RDS User Guide, "Amazon RDS event categories and event messages"
 * (DB instance events), https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html
 */

interface RdsRule {
  readonly kind: SignalKind;
  readonly phase: Signal['phase'];
  readonly severity: Severity;
  /** `db-failover` → part key `db-failover:<id>`. */
  readonly part: string;
  readonly what: string;
  readonly selfHealing?: AwsSelfHealing;
}

const failover = (phase: Signal['phase'], what: string, healing?: AwsSelfHealing): RdsRule => ({
  kind: 'database-failover',
  phase,
  severity: 'critical',
  part: 'db-failover',
  what,
  ...(healing === undefined ? {} : { selfHealing: healing }),
});

const degraded = (
  phase: Signal['phase'],
  severity: Severity,
  part: string,
  what: string,
  healing?: AwsSelfHealing,
): RdsRule => ({
  kind: 'database-degraded',
  phase,
  severity,
  part,
  what,
  ...(healing === undefined ? {} : { selfHealing: healing }),
});

const info = (what: string, part = 'db-event'): RdsRule => ({
  kind: 'informational',
  phase: 'info',
  severity: 'warning',
  part,
  what,
});

/** By the number of `RDS-EVENT-00NN`. */
const RULES: Readonly<Record<string, RdsRule>> = {
  '0013': failover('problem', 'Multi-AZ failover started', selfHealing('rds', 300)),
  '0015': failover('recovered', 'Multi-AZ failover to the standby complete, DNS may take minutes'),
  '0049': failover('recovered', 'Multi-AZ failover completed'),
  '0065': failover('recovered', 'recovered from a partial failover'),
  '0034': failover('problem', 'requested failover NOT attempted (one happened recently)'),
  '0050': info('Multi-AZ activation started after instance recovery', 'db-failover'),
  '0051': info('Multi-AZ activation complete', 'db-failover'),
  // The only event that may ask for a forced failover (policy-kit.ts PRIMARY_FAILURE_PART):
  // "failed due to an incompatible configuration or an underlying storage issue".
  '0031': degraded('problem', 'critical', PRIMARY_FAILURE_PART, 'DB instance failed'),
  // Every reboot shuts the instance down: worth a line, not a page or an action.
  '0004': degraded('problem', 'warning', 'db-availability', 'DB instance shut down'),
  '0006': degraded('recovered', 'warning', 'db-availability', 'DB instance restarted'),
  // A stopped DB serves nothing: only a person (StopDBInstance) stops it, only a person starts it.
  '0087': degraded('problem', 'critical', 'db-stopped', 'DB instance stopped'),
  '0088': degraded('recovered', 'critical', 'db-stopped', 'DB instance started'),
  '0020': degraded(
    'problem',
    'warning',
    'db-recovery',
    'instance recovery started',
    selfHealing('rds', 1800),
  ),
  '0021': degraded('recovered', 'warning', 'db-recovery', 'instance recovery complete'),
  '0007': degraded('problem', 'critical', 'db-storage', 'allocated storage full'),
  '0089': degraded('problem', 'warning', 'db-storage', 'more than 90% of storage used'),
  '0045': degraded('problem', 'warning', 'db-replication', 'read replication error'),
  '0057': degraded('problem', 'warning', 'db-replication', 'replication on the replica terminated'),
  '0062': degraded('problem', 'warning', 'db-replication', 'replication on the replica stopped'),
  '0046': degraded('recovered', 'warning', 'db-replication', 'read replica replication resumed'),
};

const EVENT_ID = /^RDS-EVENT-(\d{4})$/;

const ruleOf = (event: RdsInstanceEvent): RdsRule => {
  const number = EVENT_ID.exec(event.detail.EventID ?? '')?.[1];
  const known = number === undefined ? undefined : RULES[number];
  if (known !== undefined) return known;
  const categories = event.detail.EventCategories ?? [];
  return categories.includes('failure')
    ? degraded('problem', 'warning', 'db-failure', 'failure event')
    : info(`${categories.join(', ') || 'uncategorised'} event`);
};

export const classifyRdsInstanceEvent = (
  event: RdsInstanceEvent,
  inventory: ShopInventory,
): Signal | null => {
  const id = dbInstanceIdOf(event.detail.SourceIdentifier);
  if (!ownsDb(inventory, id)) return null;
  const rule = ruleOf(event);
  const eventId = event.detail.EventID === undefined ? '' : ` (${event.detail.EventID})`;
  return signalOf(event, {
    kind: rule.kind,
    phase: rule.phase,
    severity: rule.severity,
    resource: ref('db-instance', id),
    related: relatedDbs(inventory, id),
    partKey: `${rule.part}:${id}`,
    summary: `${id}: ${rule.what}${eventId}`,
    selfHealing: rule.selfHealing,
    dbRole: dbRoleOf(inventory, id),
  });
};
