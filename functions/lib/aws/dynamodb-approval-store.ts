import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApprovalRecord, ApprovalStore, LinkAnswer } from '../approval/ports.js';
import { INCIDENT_TABLE } from './incident-table.js';

/**
 * {@link ApprovalStore} on the incident table. One item per request, `pk` `APPROVAL#<id>`, with
 * the record's fields as attributes, except that the answer deadline is `deadline` (epoch s) and
 * `expiresAt` (the table's TTL) is the deadline plus {@link APPROVAL_RETENTION_DAYS}: the item
 * outlives its links for a look after the fact (the timeline keeps the answer for good).
 * `status` moves `pending` → `answered` with a conditional update: one answer per request.
 */

/** The partition key prefix of approval items (IAM narrows who may read them by it). */
export const APPROVAL_KEY_PREFIX = 'APPROVAL#';
export const approvalItemKey = (approvalId: string): string =>
  `${APPROVAL_KEY_PREFIX}${approvalId}`;
export const APPROVAL_RETENTION_DAYS = 7;

const PK = INCIDENT_TABLE.partitionKey;
const TTL = INCIDENT_TABLE.timeToLiveAttribute;

interface ApprovalItem extends Omit<ApprovalRecord, 'expiresAt'> {
  readonly deadline: number;
}

const toRecord = (item: Record<string, unknown>): ApprovalRecord => {
  const {
    [PK]: _pk,
    [TTL]: _ttl,
    deadline,
    ...rest
  } = item as unknown as ApprovalItem & Record<string, unknown>;
  return { ...(rest as unknown as Omit<ApprovalRecord, 'expiresAt'>), expiresAt: deadline };
};

const lostCondition = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

export class DynamoDbApprovalStore implements ApprovalStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: ApprovalRecord): Promise<void> {
    const { expiresAt, ...fields } = record;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [PK]: approvalItemKey(record.id),
          ...fields,
          deadline: expiresAt,
          [TTL]: expiresAt + APPROVAL_RETENTION_DAYS * 24 * 60 * 60,
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
    );
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PK]: approvalItemKey(id) },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : toRecord(Item);
  }

  async claim(id: string, answer: LinkAnswer): Promise<ApprovalRecord | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: approvalItemKey(id) },
          UpdateExpression: 'SET #status = :answered, #answer = :answer',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#answer': 'answer' },
          ExpressionAttributeValues: {
            ':answered': 'answered',
            ':pending': 'pending',
            ':answer': answer,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes === undefined ? undefined : toRecord(Attributes);
    } catch (error) {
      if (lostCondition(error)) return undefined;
      throw error;
    }
  }

  async release(id: string): Promise<void> {
    await this.#moveAnswered(id, 'SET #status = :next REMOVE #answer', 'pending');
  }

  async close(id: string): Promise<void> {
    await this.#moveAnswered(id, 'SET #status = :next', 'closed');
  }

  /** An `answered` request to `next`; a request in any other state is left alone. */
  async #moveAnswered(id: string, updateExpression: string, next: string): Promise<void> {
    const names: Record<string, string> = { '#status': 'status' };
    if (updateExpression.includes('#answer')) names['#answer'] = 'answer';
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: approvalItemKey(id) },
          UpdateExpression: updateExpression,
          ConditionExpression: '#status = :answered',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':next': next, ':answered': 'answered' },
        }),
      );
    } catch (error) {
      if (!lostCondition(error)) throw error;
    }
  }
}
