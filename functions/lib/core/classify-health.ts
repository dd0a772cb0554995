import type { HealthEvent } from '../events/health.js';
import {
  cacheGroupOf,
  dbRoleOf,
  isShopDb,
  oneLine,
  ref,
  type SignalParts,
  signalOf,
} from './classify-common.js';
import type { ShopInventory } from './inventory.js';
import type { ResourceRef, Signal, SignalKind } from './signal.js';

/**
 * AWS Health events for the services the shop runs on. An AZ impairment names the AZ only as
 * an AZ ID (`use1-az2`) inside the description; AZ IDs map to different AZ names per account.
 */

const SERVICE_KINDS: Readonly<Record<string, SignalKind>> = {
  EC2: 'instance-health',
  RDS: 'database-degraded',
  ELASTICACHE: 'cache-degraded',
  ELASTICLOADBALANCING: 'informational',
};

const AZ_ID = /\b[a-z]{2,6}\d{1,2}-az\d{1,2}\b/;
// Bounded words and parts (`us-gov-west-1a`, `ap-southeast-2c`): an unbounded `(?:-[a-z]+)+`
// rescans every dash-separated run from each word start, quadratic in a long description.
const AZ_NAME = /\b[a-z]{2}(?:-[a-z]{1,12}){1,3}-\d{1,2}[a-z]\b/g;
const INSTANCE_ID = /(?:^|\/)(i-[0-9a-f]{8,17})$/;

const descriptionOf = (event: HealthEvent): string => {
  const descriptions = event.detail.eventDescription ?? [];
  const english = descriptions.find((item) => item.language === 'en_US') ?? descriptions[0];
  return english?.latestDescription ?? '';
};

interface ImpairedAz {
  /** The AZ name (`us-east-1a`), or its AZ ID when unmapped. */
  readonly name: string;
  readonly label: string;
  /** Known to be an AZ the shop does not run in: nothing to evacuate, no page. */
  readonly outsideTheShop: boolean;
}

/** The impaired AZ as the account knows it (`us-east-1a`), or its AZ ID when unmapped. */
const impairedAzOf = (
  description: string,
  region: string,
  inventory: ShopInventory,
): ImpairedAz | undefined => {
  const outsideTheShop = (name: string) =>
    !inventory.assumeOwned && !inventory.availabilityZones.includes(name);
  const azId = AZ_ID.exec(description)?.[0];
  if (azId !== undefined) {
    const name = Object.hasOwn(inventory.azIdToName, azId) ? inventory.azIdToName[azId] : undefined;
    if (name !== undefined) {
      return { name, label: `${name} (${azId})`, outsideTheShop: outsideTheShop(name) };
    }
    // Unmapped: outside the shop when the map holds every shop AZ (as deployed: the shop's AZ
    // IDs are resolved at deploy); otherwise it may be one of the shop's, so it stays
    // actionable (a person decides).
    const mapped = new Set(Object.values(inventory.azIdToName));
    const mapsTheShop = inventory.availabilityZones.every((zone) => mapped.has(zone));
    return { name: azId, label: azId, outsideTheShop: mapsTheShop && !inventory.assumeOwned };
  }
  const azName = description
    .match(AZ_NAME)
    ?.find((candidate) => candidate.length === region.length + 1 && candidate.startsWith(region));
  return azName === undefined
    ? undefined
    : { name: azName, label: azName, outsideTheShop: outsideTheShop(azName) };
};

/** The last `:`/`/`-separated part: entity values are bare ids or ARNs. */
const bareId = (entityValue: string): string => entityValue.split(/[:/]/).pop() ?? entityValue;

const entityRef = (service: string, entityValue: string): ResourceRef | undefined => {
  switch (service) {
    case 'EC2': {
      const instance = INSTANCE_ID.exec(entityValue)?.[1];
      return instance === undefined ? undefined : ref('ec2-instance', instance);
    }
    case 'RDS':
      return ref('db-instance', bareId(entityValue));
    case 'ELASTICACHE':
      return ref('cache-replication-group', cacheGroupOf(bareId(entityValue)));
    default:
      return ref('other', entityValue);
  }
};

/**
 * Account-specific RDS/ElastiCache events name their resources: one must be the shop's.
 * EC2 instances and load balancers are not in the inventory and pass.
 */
const isShopEntity = (inventory: ShopInventory) => (entity: ResourceRef) => {
  switch (entity.type) {
    case 'db-instance':
      return isShopDb(inventory, entity.id);
    case 'cache-replication-group':
      return entity.id === inventory.cacheReplicationGroupId;
    default:
      return true;
  }
};

type Verdict = Pick<SignalParts, 'kind' | 'phase' | 'severity' | 'resource' | 'related'> & {
  readonly availabilityZone?: string;
  readonly subject: string;
};

/**
 * An abuse report against the account (detail-type "AWS Health Abuse Event", service `ABUSE`):
 * AWS may restrict the named resource unless someone answers, so it pages; nothing automatic
 * helps.
 */
const isAbuseReport = (event: HealthEvent): boolean =>
  event['detail-type'] === 'AWS Health Abuse Event' || event.detail.service === 'ABUSE';

/**
 * An API issue of this account with any service (`AWS_<SERVICE>_API_ISSUE`, account-specific):
 * the control plane runs on Step Functions, Lambda, DynamoDB, SNS and SSM, so its own
 * automation may fail; worth telling, never acting on.
 */
const isAccountApiIssue = (event: HealthEvent): boolean =>
  event.detail.eventScopeCode === 'ACCOUNT_SPECIFIC' &&
  event.detail.eventTypeCategory === 'issue' &&
  event.detail.eventTypeCode.endsWith('_API_ISSUE');

/** Abuse reports and account API issues: recorded and announced, never acted on. */
const accountNotice = (event: HealthEvent, inventory: ShopInventory): Signal | null => {
  const { detail } = event;
  const abuse = isAbuseReport(event);
  const eventRegion = detail.eventRegion ?? event.region;
  // Abuse reports concern the account wherever they are posted; API issues only the shop region.
  if (!abuse && !inventory.assumeOwned && eventRegion !== inventory.region) return null;
  const [first, ...rest] = (detail.affectedEntities ?? []).map(({ entityValue }) =>
    ref('other', entityValue),
  );
  const status = `${detail.eventTypeCategory}, ${oneLine(detail.statusCode ?? 'open', 16)}`;
  return signalOf(event, {
    kind: 'informational',
    phase: detail.statusCode === 'closed' ? 'recovered' : 'problem',
    severity: abuse ? 'critical' : 'warning',
    resource: first ?? ref('other', detail.eventTypeCode),
    related: rest,
    partKey: `health:${detail.eventArn}`,
    summary: abuse
      ? `${first?.id ?? event.account}: AWS Health abuse report ${detail.eventTypeCode} (${status}): answer AWS Trust & Safety before AWS restricts it`
      : `${eventRegion}: AWS Health ${detail.eventTypeCode} (${status})`,
  });
};

export const classifyHealthEvent = (
  event: HealthEvent,
  inventory: ShopInventory,
): Signal | null => {
  const { detail } = event;
  // An own property only: `constructor` or `__proto__` must not find Object's.
  const serviceKind = Object.hasOwn(SERVICE_KINDS, detail.service)
    ? SERVICE_KINDS[detail.service]
    : undefined;
  const eventRegion = detail.eventRegion ?? event.region;
  if (isAbuseReport(event) || (serviceKind === undefined && isAccountApiIssue(event))) {
    return accountNotice(event, inventory);
  }
  if (serviceKind === undefined) return null;
  if (!inventory.assumeOwned && eventRegion !== inventory.region) return null;
  const entities = (detail.affectedEntities ?? []).flatMap(({ entityValue }) => {
    const entity = entityRef(detail.service, entityValue);
    return entity === undefined ? [] : [entity];
  });
  const isShop = isShopEntity(inventory);
  if (!inventory.assumeOwned && entities.length > 0 && !entities.some(isShop)) {
    return null;
  }

  const phase = detail.statusCode === 'closed' ? 'recovered' : 'problem';
  const category = detail.eventTypeCategory;
  // The shop's own entities first: the signal is about the first one.
  const [first, ...rest] = [
    ...entities.filter(isShop),
    ...entities.filter((entity) => !isShop(entity)),
  ];
  // The cache nodes AWS Health names (`<group>-002`): cache-failover forces a failover only when
  // the failing node is the primary.
  const cacheNodes =
    detail.service === 'ELASTICACHE'
      ? (detail.affectedEntities ?? [])
          .map(({ entityValue }) => bareId(entityValue))
          .filter((id) => cacheGroupOf(id) !== id)
          .map((id) => ref('cache-node', id))
      : [];
  const general = ref('other', detail.eventTypeCode);
  const verdictOf = (): Verdict => {
    if (category === 'issue') {
      const az = impairedAzOf(descriptionOf(event), eventRegion, inventory);
      if (az?.outsideTheShop === true) {
        return {
          kind: 'informational',
          phase,
          severity: 'warning',
          resource: ref('availability-zone', az.name),
          related: entities,
          subject: `${az.label}, not a shop AZ (${inventory.availabilityZones.join(', ')})`,
        };
      }
      if (az !== undefined) {
        return {
          kind: 'az-impairment',
          phase,
          severity: 'critical',
          resource: ref('availability-zone', az.name),
          related: entities,
          availabilityZone: az.name,
          subject: az.label,
        };
      }
      return {
        kind: serviceKind,
        phase,
        severity: 'warning',
        resource: first ?? general,
        related: [...rest, ...cacheNodes],
        subject: first?.id ?? eventRegion,
      };
    }
    if (category === 'scheduledChange' && detail.service === 'EC2' && first !== undefined) {
      // Rebound replaces a retiring instance before AWS stops it.
      return {
        kind: 'instance-health',
        phase,
        severity: 'warning',
        resource: first,
        related: rest,
        subject: first.id,
      };
    }
    return {
      kind: 'informational',
      phase: 'info',
      severity: 'warning',
      resource: first ?? general,
      related: rest,
      subject: first?.id ?? eventRegion,
    };
  };
  const { subject, ...verdict } = verdictOf();
  const db = verdict.resource.type === 'db-instance' ? verdict.resource.id : undefined;
  const starting =
    category === 'scheduledChange' && detail.startTime !== undefined
      ? `, starting ${detail.startTime}`
      : '';
  return signalOf(event, {
    ...verdict,
    partKey: `health:${detail.eventArn}`,
    dbRole: db === undefined ? undefined : dbRoleOf(inventory, db),
    description: descriptionOf(event),
    summary: `${subject}: AWS Health ${detail.eventTypeCode} (${category}, ${oneLine(detail.statusCode ?? 'open', 16)}${starting})`,
  });
};
