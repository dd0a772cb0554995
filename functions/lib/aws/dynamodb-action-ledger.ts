import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ActionLedger, ActionRequest, LedgerVerdict } from '../core/ports.js';
import {
  claimsInLastHour,
  cooldownEnd,
  type LedgerState,
  ledgerVerdict,
} from '../core/store-rules.js';
import {
  budgetItemKey,
  cooldownItemKey,
  INCIDENT_TABLE,
  lostTransactionRace,
} from './incident-table.js';

const PK = INCIDENT_TABLE.partitionKey;

/** Claims that lose a race re-read and re-decide; this bounds the rounds under contention. */
const MAX_CLAIM_ATTEMPTS = 10;

interface Snapshot {
  readonly state: LedgerState;
  /** Version of the budget item, absent before its first claim. */
  readonly budgetVersion?: number;
}

/**
 * {@link ActionLedger} on the incident table: `BUDGET#<budget>` items hold the epoch-ms times of
 * the last hour's claims and a version; `COOLDOWN#<resourceId>` items hold `until`. A claim writes
 * both in one transaction, conditional on the budget version it read and on the cooldown still
 * being over, so concurrent claims can never overspend a budget; a claim that loses the race
 * re-reads and decides again.
 */
export class DynamoDbActionLedger implements ActionLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async peek(request: ActionRequest, now: Date): Promise<LedgerVerdict> {
    return ledgerVerdict(request, (await this.#read(request)).state, now);
  }

  async claim(request: ActionRequest, now: Date): Promise<LedgerVerdict> {
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      const snapshot = await this.#read(request);
      const verdict = ledgerVerdict(request, snapshot.state, now);
      if (!verdict.allowed) return verdict;
      if (await this.#record(request, snapshot, now)) return verdict;
      // Lost the race: back off a little (jittered) before re-reading.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
    throw new Error(
      `action ledger: could not claim ${request.budget} for ${request.resourceId} after ${MAX_CLAIM_ATTEMPTS} attempts (contention)`,
    );
  }

  async #read(request: ActionRequest): Promise<Snapshot> {
    const [budget, cooldown] = await Promise.all(
      [budgetItemKey(request.budget), cooldownItemKey(request.resourceId)].map(
        async (key) =>
          (
            await this.client.send(
              new GetCommand({
                TableName: this.tableName,
                Key: { [PK]: key },
                ConsistentRead: true,
              }),
            )
          ).Item,
      ),
    );
    const claims = budget?.claims;
    const until = cooldown?.until;
    const version = budget?.version;
    return {
      state: {
        claims: Array.isArray(claims) ? claims.filter((at) => typeof at === 'number') : [],
        ...(typeof until === 'number' ? { cooldownUntil: until } : {}),
      },
      ...(typeof version === 'number' ? { budgetVersion: version } : {}),
    };
  }

  /** Writes the claim; false when another writer got there first. */
  async #record(request: ActionRequest, snapshot: Snapshot, now: Date): Promise<boolean> {
    const until = cooldownEnd(request, now);
    const version = snapshot.budgetVersion;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  [PK]: budgetItemKey(request.budget),
                  claims: [...claimsInLastHour(snapshot.state.claims, now), now.getTime()],
                  version: (version ?? 0) + 1,
                },
                ...(version === undefined
                  ? {
                      ConditionExpression: 'attribute_not_exists(#pk)',
                      ExpressionAttributeNames: { '#pk': PK },
                    }
                  : {
                      ConditionExpression: '#version = :read',
                      ExpressionAttributeNames: { '#version': 'version' },
                      ExpressionAttributeValues: { ':read': version },
                    }),
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  [PK]: cooldownItemKey(request.resourceId),
                  until,
                  // The item means nothing once the cooldown is over.
                  [INCIDENT_TABLE.timeToLiveAttribute]: Math.ceil(until / 1000),
                },
                ConditionExpression: 'attribute_not_exists(#pk) OR #until <= :now',
                ExpressionAttributeNames: { '#pk': PK, '#until': 'until' },
                ExpressionAttributeValues: { ':now': now.getTime() },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (lostTransactionRace(error)) {
        return false;
      }
      throw error;
    }
  }
}
