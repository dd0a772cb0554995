import type { ReboundEvent } from '../events/rebound-event.js';
import type { Severity } from '../severity.js';
import type { ShopInventory } from './inventory.js';
import type { AwsSelfHealing, DbRole, ResourceRef, Signal, SignalSource } from './signal.js';

/** Shared pieces of the per-source classifiers: signal assembly, bounds, ownership. */

export const MAX_SUMMARY_LENGTH = 200;
const MAX_ID_LENGTH = 256;
const MAX_RELATED = 20;

/** One line, at most `max` characters: summaries end up in SMS, subjects and timelines. */
export const oneLine = (value: string, max = MAX_SUMMARY_LENGTH): string => {
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
};

export const ref = (type: ResourceRef['type'], id: string): ResourceRef => ({
  type,
  id: oneLine(id, MAX_ID_LENGTH),
});

export const sourceOf = (event: ReboundEvent): SignalSource => ({
  eventId: event.id,
  source: event.source,
  detailType: event['detail-type'],
  time: event.time,
  region: event.region,
  account: event.account,
  ...(event['replay-name'] === undefined ? {} : { replayName: oneLine(event['replay-name'], 256) }),
});

export interface SignalParts {
  readonly kind: Signal['kind'];
  readonly phase: Signal['phase'];
  readonly severity: Severity;
  readonly resource: ResourceRef;
  readonly related?: readonly ResourceRef[];
  readonly partKey: string;
  readonly availabilityZone?: string | undefined;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly metric?: string | undefined;
  readonly selfHealing?: AwsSelfHealing | undefined;
  readonly dbRole?: DbRole | undefined;
  readonly untrusted?: string | undefined;
}

/** AWS's free text on a signal is kept to this many characters (the email cuts it further). */
const MAX_DESCRIPTION = 2000;

/** A signal with every string bounded and optional fields left out when unknown. */
export const signalOf = (event: ReboundEvent, parts: SignalParts): Signal => ({
  kind: parts.kind,
  phase: parts.phase,
  severity: parts.severity,
  resource: parts.resource,
  related: (parts.related ?? []).slice(0, MAX_RELATED),
  partKey: oneLine(parts.partKey, 2 * MAX_ID_LENGTH),
  ...(parts.availabilityZone === undefined
    ? {}
    : { availabilityZone: oneLine(parts.availabilityZone, 64) }),
  summary: oneLine(parts.summary),
  ...(parts.description === undefined || parts.description.trim() === ''
    ? {}
    : { description: parts.description.slice(0, MAX_DESCRIPTION) }),
  ...(parts.metric === undefined ? {} : { metric: oneLine(parts.metric, MAX_ID_LENGTH) }),
  ...(parts.selfHealing === undefined ? {} : { selfHealing: parts.selfHealing }),
  ...(parts.dbRole === undefined ? {} : { dbRole: parts.dbRole }),
  ...(parts.untrusted === undefined ? {} : { untrusted: oneLine(parts.untrusted, 500) }),
  source: sourceOf(event),
});

export const selfHealing = (
  by: AwsSelfHealing['by'],
  expectedWithinSeconds: number,
): AwsSelfHealing => ({ by, expectedWithinSeconds });

/** ` in us-east-1a`, or nothing. */
export const inAz = (availabilityZone: string | undefined): string =>
  availabilityZone === undefined || availabilityZone === '' ? '' : ` in ${availabilityZone}`;

// --- ownership -------------------------------------------------------------------------------

export const ownsGroup = (inventory: ShopInventory, groupName: string | undefined): boolean =>
  inventory.assumeOwned || groupName === inventory.autoScalingGroupName;

/** RDS sometimes prefixes the instance id with `rds:`. */
export const dbInstanceIdOf = (sourceIdentifier: string): string =>
  sourceIdentifier.startsWith('rds:') ? sourceIdentifier.slice('rds:'.length) : sourceIdentifier;

export const isShopDb = (inventory: ShopInventory, id: string): boolean =>
  id === inventory.primaryDbInstanceId || inventory.replicaDbInstanceIds.includes(id);

export const ownsDb = (inventory: ShopInventory, id: string | undefined): boolean =>
  inventory.assumeOwned || (id !== undefined && isShopDb(inventory, id));

/**
 * The shop's primary or one of its replicas; in the offline replay of AWS's samples
 * (`assumeOwned`) any other DB counts as the primary.
 */
export const dbRoleOf = (inventory: ShopInventory, id: string): DbRole | undefined => {
  if (inventory.replicaDbInstanceIds.includes(id)) return 'replica';
  return id === inventory.primaryDbInstanceId || inventory.assumeOwned ? 'primary' : undefined;
};

/** The other members of the shop's DB topology: replicas of the primary, the primary of a replica. */
export const relatedDbs = (inventory: ShopInventory, id: string): ResourceRef[] => {
  if (id === inventory.primaryDbInstanceId) {
    return inventory.replicaDbInstanceIds.map((replica) => ref('db-instance', replica));
  }
  return inventory.replicaDbInstanceIds.includes(id)
    ? [ref('db-instance', inventory.primaryDbInstanceId)]
    : [];
};

/**
 * The replication group of a cache node or cluster id: `<group>-0001-002` (cluster mode
 * enabled) and `<group>-002` (cluster mode disabled) both belong to `<group>`.
 */
export const cacheGroupOf = (id: string): string => id.replace(/-(\d{4}-\d{3}|\d{3})$/, '');

export const ownsCache = (inventory: ShopInventory, groupId: string | undefined): boolean =>
  inventory.assumeOwned || groupId === inventory.cacheReplicationGroupId;

/** `arn:aws:states:<region>:<account>:stateMachine:<name>` or `…:execution:<name>:<run>`. */
export const stateMachineNameOf = (arn: string): string => arn.split(':')[6] ?? arn;

export const ownsStateMachine = (inventory: ShopInventory, name: string): boolean =>
  inventory.assumeOwned || inventory.runbookStateMachineNames.includes(name);
