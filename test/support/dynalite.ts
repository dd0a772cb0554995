import type { IncomingMessage, RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { IDEMPOTENCY_TABLE } from '../../functions/lib/aws/idempotency.js';
import { INCIDENT_TABLE } from '../../functions/lib/aws/incident-table.js';

/**
 * A real local DynamoDB (dynalite, in memory) for adapter tests.
 *
 * dynalite 4 does not implement TransactWriteItems (architect/dynalite#98, #151), so the server
 * started here puts a thin front in front of it: every request runs one at a time (DynamoDB is
 * serialisable per item; here the whole server is), and TransactWriteItems is emulated on top of
 * dynalite's own conditional Put/Update/Delete: snapshot each target item, apply the actions in
 * order, and on the first failure restore the snapshots and answer TransactionCanceledException
 * with one `CancellationReasons` entry per action, as DynamoDB does. Like DynamoDB it rejects two
 * actions on one item and more than 100 actions. Unlike DynamoDB it reports only the first failing
 * condition (later actions read `None`). dynalite has no UpdateTimeToLive either: TTL attributes
 * are plain attributes here.
 */

// dynalite ships no typings; this is the part of its API used here.
type Dynalite = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export interface LocalDynamo {
  /** Client with dummy credentials, region us-east-1, pointing at the local server. */
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const MAX_TRANSACTION_ACTIONS = 100;

type Json = Record<string, unknown>;
interface Reply {
  readonly status: number;
  readonly body: Json;
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

const close = (server: Server): Promise<void> =>
  new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const errorReply = (type: string, message: string, extra: Json = {}): Reply => ({
  status: 400,
  body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra },
});

const isConditionFailure = (reply: Reply): boolean =>
  String(reply.body.__type).endsWith('#ConditionalCheckFailedException');

/** One TransactWriteItems action as the single-item call dynalite understands. */
interface Step {
  readonly tableName: string;
  readonly key: Json;
  readonly operation: 'PutItem' | 'UpdateItem' | 'DeleteItem';
  readonly request: Json;
}

const conditionFields = (action: Json): Json => {
  const fields: Json = {};
  for (const name of [
    'ConditionExpression',
    'ExpressionAttributeNames',
    'ExpressionAttributeValues',
  ]) {
    if (action[name] !== undefined) fields[name] = action[name];
  }
  return fields;
};

/** Emulates TransactWriteItems against dynalite; `call` reaches dynalite directly. */
const transactWrite = async (
  input: Json,
  call: (operation: string, body: Json) => Promise<Reply>,
): Promise<Reply> => {
  const actions = Array.isArray(input.TransactItems) ? (input.TransactItems as Json[]) : [];
  if (actions.length === 0 || actions.length > MAX_TRANSACTION_ACTIONS) {
    return errorReply(
      'ValidationException',
      `Member must have length between 1 and ${MAX_TRANSACTION_ACTIONS} (got ${actions.length})`,
    );
  }

  const keyNames = new Map<string, string[]>();
  const keyOf = async (tableName: string, item: Json): Promise<Json> => {
    let names = keyNames.get(tableName);
    if (names === undefined) {
      const described = await call('DescribeTable', { TableName: tableName });
      const schema = (described.body.Table as { KeySchema?: { AttributeName: string }[] })
        ?.KeySchema;
      names = (schema ?? []).map((element) => element.AttributeName);
      keyNames.set(tableName, names);
    }
    return Object.fromEntries(names.map((name) => [name, item[name]]));
  };

  const steps: Step[] = [];
  for (const action of actions) {
    const [kind, body] = Object.entries(action)[0] ?? [];
    const details = (body ?? {}) as Json;
    const tableName = String(details.TableName);
    const base = { TableName: tableName, ...conditionFields(details) };
    if (kind === 'Put') {
      const item = details.Item as Json;
      steps.push({
        tableName,
        key: await keyOf(tableName, item),
        operation: 'PutItem',
        request: { ...base, Item: item },
      });
    } else if (kind === 'Update' || kind === 'ConditionCheck' || kind === 'Delete') {
      const key = details.Key as Json;
      const request: Json = { ...base, Key: key };
      if (kind === 'Update') request.UpdateExpression = details.UpdateExpression;
      // A condition check is a conditional no-op update; the snapshot undoes any key-only item.
      steps.push({
        tableName,
        key,
        operation: kind === 'Delete' ? 'DeleteItem' : 'UpdateItem',
        request,
      });
    } else {
      return errorReply('ValidationException', `Unsupported transaction action ${String(kind)}`);
    }
  }

  const itemIds = steps.map((step) => JSON.stringify([step.tableName, step.key]));
  if (new Set(itemIds).size !== itemIds.length) {
    return errorReply(
      'ValidationException',
      'Transaction request cannot include multiple operations on one item',
    );
  }

  const snapshots: (Json | undefined)[] = [];
  for (const step of steps) {
    const read = await call('GetItem', {
      TableName: step.tableName,
      Key: step.key,
      ConsistentRead: true,
    });
    snapshots.push(read.body.Item as Json | undefined);
  }

  for (const [index, step] of steps.entries()) {
    const reply = await call(step.operation, step.request);
    if (reply.status === 200) continue;
    for (let undo = index - 1; undo >= 0; undo--) {
      const done = steps[undo] as Step;
      const before = snapshots[undo];
      await (before === undefined
        ? call('DeleteItem', { TableName: done.tableName, Key: done.key })
        : call('PutItem', { TableName: done.tableName, Item: before }));
    }
    if (!isConditionFailure(reply)) return reply;
    const reasons = steps.map((_, position) =>
      position === index
        ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
        : { Code: 'None' },
    );
    return errorReply(
      'TransactionCanceledException',
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
      { CancellationReasons: reasons },
    );
  }
  return { status: 200, body: {} };
};

/** Starts dynalite (in memory) behind the transaction-emulating front on ephemeral ports. */
export const startDynalite = async (): Promise<LocalDynamo> => {
  const inner = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const innerUrl = `http://127.0.0.1:${await listen(inner)}/`;
  const dynaliteHandler = inner.listeners('request')[0] as RequestListener;

  // One request at a time, so that an emulated transaction is atomic to every other request.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = (task: () => Promise<void>): void => {
    queue = queue.then(task, task);
  };

  const front = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target !== `${TARGET_PREFIX}TransactWriteItems`) {
      serially(
        () =>
          new Promise<void>((resolve) => {
            res.once('close', resolve);
            dynaliteHandler(req, res);
          }),
      );
      return;
    }
    serially(async () => {
      const call = async (operation: string, body: Json): Promise<Reply> => {
        const response = await fetch(innerUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `${TARGET_PREFIX}${operation}`,
            'x-amz-date': String(req.headers['x-amz-date'] ?? ''),
            authorization: String(req.headers.authorization ?? ''),
          },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as Json };
      };
      let reply: Reply;
      try {
        reply = await transactWrite(JSON.parse(await readBody(req)) as Json, call);
      } catch (error) {
        reply = { ...errorReply('InternalServerError', String(error)), status: 500 };
      }
      res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(reply.body));
    });
  });
  const endpoint = `http://127.0.0.1:${await listen(front)}`;

  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    client,
    endpoint,
    stop: async () => {
      client.destroy();
      await close(front);
      await close(inner);
    },
  };
};

/**
 * Starts dynalite once for the calling test file (beforeAll) and stops it afterwards (afterAll).
 * Read `.client` inside tests or hooks, not at module load.
 */
export const useDynalite = (): { readonly client: DynamoDBClient } => {
  let local: LocalDynamo | undefined;
  beforeAll(async () => {
    local = await startDynalite();
  });
  afterAll(async () => {
    await local?.stop();
  });
  return {
    get client() {
      if (local === undefined) throw new Error('dynalite is not running: use .client inside tests');
      return local.client;
    },
  };
};

const createTable = async (
  client: DynamoDBClient,
  name: string,
  partitionKey: string,
): Promise<void> => {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // createTableMs 0 still flips to ACTIVE on the next tick.
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** The incident table as CDK declares it (partition key `pk`, no sort key). */
export const createIncidentTable = (client: DynamoDBClient, name: string): Promise<void> =>
  createTable(client, name, INCIDENT_TABLE.partitionKey);

/** The Powertools idempotency table (partition key `id`). */
export const createIdempotencyTable = (client: DynamoDBClient, name: string): Promise<void> =>
  createTable(client, name, IDEMPOTENCY_TABLE.partitionKey);
