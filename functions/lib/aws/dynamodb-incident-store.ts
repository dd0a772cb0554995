import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type Incident, isActive } from '../core/incident.js';
import { IncidentConflictError, type IncidentStore } from '../core/ports.js';
import {
  assertNewIncident,
  claimBlocks,
  claimedScopeKeys,
  claimsHeldUntil,
  isFindable,
  newestFirst,
} from '../core/store-rules.js';
import {
  capTimeline,
  INCIDENT_TABLE,
  incidentExpiresAt,
  incidentItemKey,
  lostTransactionRace,
  scopeItemKey,
} from './incident-table.js';

type TransactAction = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** An `INCIDENT#<id>` item as stored (see incident-table.ts). */
interface IncidentItem {
  readonly incident: Incident;
  readonly version: number;
  readonly active: boolean;
  /** Epoch ms until which the closed incident's claims still hold (`claimsHeldUntil`). */
  readonly claimsHeldUntil?: number;
  readonly timelineOmitted?: number;
}

const PK = INCIDENT_TABLE.partitionKey;

type Condition = Pick<
  NonNullable<TransactAction['Put']>,
  'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;
const ABSENT: Condition = {
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': PK },
};
const atVersion = (version: number): Condition => ({
  ConditionExpression: '#version = :expected',
  ExpressionAttributeNames: { '#version': 'version' },
  ExpressionAttributeValues: { ':expected': version },
});
const heldBy = (incidentId: string): Condition => ({
  ConditionExpression: '#incidentId = :holder',
  ExpressionAttributeNames: { '#incidentId': 'incidentId' },
  ExpressionAttributeValues: { ':holder': incidentId },
});

/**
 * {@link IncidentStore} on the incident table. Every write is one TransactWriteItems: the
 * incident item (conditional on its absence or on its version) together with its scope-claim
 * items (conditional on being free), so two concurrent writers can never both hold a scope key.
 * A claim whose incident is gone (TTL), or closed and past its `claimsHeldUntil`, is stale and is
 * taken over in the same transaction, on the condition that it is still stale at the time of the
 * write (the written incident's `updatedAt`, the writer's clock).
 */
export class DynamoDbIncidentStore implements IncidentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findActive(scopeKeys: readonly string[]): Promise<Incident[]> {
    const holders = await this.#holders([...new Set(scopeKeys)]);
    const ids = [...new Set(holders.values())];
    const items = await Promise.all(ids.map((id) => this.#read(id)));
    return items
      .flatMap((item) => (item !== undefined && isFindable(item.incident) ? [item.incident] : []))
      .sort(newestFirst);
  }

  async get(id: string): Promise<Incident | undefined> {
    return (await this.#read(id))?.incident;
  }

  async create(incident: Incident): Promise<void> {
    assertNewIncident(incident);
    const claims = await this.#claimActions(incident, claimedScopeKeys(incident));
    await this.#transact(
      [this.#putIncident(incident, 0, ABSENT), ...claims],
      `incident ${incident.id} exists or one of its scope keys is held`,
    );
  }

  async update(incident: Incident): Promise<void> {
    const stored = await this.#read(incident.id);
    const expected = incident.version - 1;
    if (stored?.version !== expected) {
      throw new IncidentConflictError(
        `incident ${incident.id} is at version ${stored?.version ?? 'none'}, not ${expected}`,
      );
    }
    const before = claimedScopeKeys(stored.incident);
    const after = claimedScopeKeys(incident);
    const claims = await this.#claimActions(
      incident,
      after.filter((key) => !before.includes(key)),
    );
    const releases = before
      .filter((key) => !after.includes(key))
      .map(
        (key): TransactAction => ({
          Delete: {
            TableName: this.tableName,
            Key: { [PK]: scopeItemKey(key) },
            // Never release a claim that another incident took over.
            ConditionExpression: 'attribute_not_exists(#pk) OR #incidentId = :holder',
            ExpressionAttributeNames: { '#pk': PK, '#incidentId': 'incidentId' },
            ExpressionAttributeValues: { ':holder': incident.id },
          },
        }),
      );
    await this.#transact(
      [
        this.#putIncident(incident, stored.timelineOmitted ?? 0, atVersion(expected)),
        ...claims,
        ...releases,
      ],
      `incident ${incident.id} changed concurrently or one of its new scope keys is held`,
    );
  }

  async #read(id: string): Promise<IncidentItem | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PK]: incidentItemKey(id) },
        ConsistentRead: true,
      }),
    );
    return Item as IncidentItem | undefined;
  }

  /** Scope key → id of the incident its claim item names, for the keys that have one. */
  async #holders(scopeKeys: readonly string[]): Promise<Map<string, string>> {
    const entries = await Promise.all(
      scopeKeys.map(async (key) => {
        const { Item } = await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: { [PK]: scopeItemKey(key) },
            ConsistentRead: true,
          }),
        );
        const holder = Item?.incidentId;
        return typeof holder === 'string' ? [[key, holder] as const] : [];
      }),
    );
    return new Map(entries.flat());
  }

  /**
   * Actions claiming `scopeKeys` for `incident`: a free key on the condition it is still free,
   * a key already naming it on the condition it still does, a stale claim on the condition it
   * still names the same incident and that incident is still gone, or closed and past its hold,
   * at the time of the write. A key another incident still holds fails fast.
   */
  async #claimActions(incident: Incident, scopeKeys: readonly string[]): Promise<TransactAction[]> {
    const incidentId = incident.id;
    const writtenAt = Date.parse(incident.updatedAt);
    const holders = await this.#holders(scopeKeys);
    const others = [...new Set(holders.values())].filter((id) => id !== incidentId);
    const otherItems = await Promise.all(others.map((id) => this.#read(id)));
    for (const [key, holder] of holders) {
      const item = otherItems[others.indexOf(holder)];
      if (item !== undefined && claimBlocks(item.incident, incident.updatedAt)) {
        throw new IncidentConflictError(`scope ${key} is held by incident ${holder}`);
      }
    }
    const claims = scopeKeys.map((key): TransactAction => {
      const holder = holders.get(key);
      return {
        Put: {
          TableName: this.tableName,
          Item: { [PK]: scopeItemKey(key), incidentId },
          ...(holder === undefined ? ABSENT : heldBy(holder)),
        },
      };
    });
    const staleChecks = others.map(
      (id): TransactAction => ({
        ConditionCheck: {
          TableName: this.tableName,
          Key: { [PK]: incidentItemKey(id) },
          ConditionExpression:
            'attribute_not_exists(#pk) OR (#active = :false AND (attribute_not_exists(#held) OR #held <= :writtenAt))',
          ExpressionAttributeNames: { '#pk': PK, '#active': 'active', '#held': 'claimsHeldUntil' },
          ExpressionAttributeValues: { ':false': false, ':writtenAt': writtenAt },
        },
      }),
    );
    return [...claims, ...staleChecks];
  }

  #putIncident(incident: Incident, omittedBefore: number, condition: Condition): TransactAction {
    const { kept, omitted } = capTimeline(incident.timeline);
    // A JSON round trip drops `undefined` members, which DynamoDB cannot store.
    const document = JSON.parse(JSON.stringify({ ...incident, timeline: kept })) as Incident;
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          [PK]: incidentItemKey(incident.id),
          incident: document,
          version: incident.version,
          active: isActive(incident.status),
          claimsHeldUntil: claimsHeldUntil(incident),
          timelineOmitted: omittedBefore + omitted,
          [INCIDENT_TABLE.timeToLiveAttribute]: incidentExpiresAt(incident),
        },
        ...condition,
      },
    };
  }

  async #transact(actions: TransactAction[], conflict: string): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: actions }));
    } catch (error) {
      if (lostTransactionRace(error)) throw new IncidentConflictError(conflict, { cause: error });
      throw error;
    }
  }
}
