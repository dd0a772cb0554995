import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  IDEMPOTENCY_TABLE,
  idempotentByKey,
} from '../../functions/lib/aws/idempotency.js';
import { createIdempotencyTable, useDynalite } from '../support/dynalite.js';

const dynamo = useDynalite();
let tables = 0;
const newTable = async (): Promise<string> => {
  tables += 1;
  const tableName = `idempotency-${tables}`;
  await createIdempotencyTable(dynamo.client, tableName);
  return tableName;
};

interface Delivery {
  readonly idempotencyKey: string;
  readonly payload: string;
}
interface Outcome {
  readonly run: number;
  readonly payload: string;
}

/** A handler counting its runs; each run answers with its number. */
const countingHandler = (delayMs = 0) => {
  const runs: Delivery[] = [];
  const handle = async (delivery: Delivery): Promise<Outcome> => {
    runs.push(delivery);
    const run = runs.length;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return { run, payload: delivery.payload };
  };
  return { runs, handle };
};

const storedRecords = async (tableName: string) =>
  (await DynamoDBDocumentClient.from(dynamo.client).send(new ScanCommand({ TableName: tableName })))
    .Items ?? [];

describe('idempotentByKey', () => {
  it.each([2, 5, 10])(
    'runs once when the same key is delivered %i times, and answers every delivery with the first result',
    async (deliveries) => {
      // Prepare
      const tableName = await newTable();
      const { runs, handle } = countingHandler();
      const once = idempotentByKey(handle, { tableName, client: dynamo.client });

      // Act
      const results: Outcome[] = [];
      for (let index = 0; index < deliveries; index++) {
        results.push(await once({ idempotencyKey: 'event-1', payload: `delivery ${index}` }));
      }

      // Assess
      expect(runs).toEqual([{ idempotencyKey: 'event-1', payload: 'delivery 0' }]);
      expect(results).toEqual(
        Array.from({ length: deliveries }, () => ({ run: 1, payload: 'delivery 0' })),
      );
    },
  );

  it('runs once for ten concurrent deliveries: the others find it in progress', async () => {
    // Prepare: the first run holds until every other delivery has been answered, so the test
    // does not depend on how fast the machine is (a slow one would otherwise see some deliveries
    // arrive after the first completed, and rightly get its stored result).
    const tableName = await newTable();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const runs: Delivery[] = [];
    const once = idempotentByKey(
      async (delivery: Delivery): Promise<Outcome> => {
        runs.push(delivery);
        await gate;
        return { run: runs.length, payload: delivery.payload };
      },
      { tableName, client: dynamo.client },
    );

    // Act
    let answered = 0;
    const deliveries = Array.from({ length: 10 }, (_, index) =>
      once({ idempotencyKey: 'event-1', payload: `delivery ${index}` }).finally(() => {
        answered += 1;
        if (answered === 9) open();
      }),
    );
    const settled = await Promise.allSettled(deliveries);
    const retried = await once({ idempotencyKey: 'event-1', payload: 'retry' });

    // Assess
    expect(runs).toHaveLength(1);
    const fulfilled = settled.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    const rejected = settled.flatMap((result) =>
      result.status === 'rejected' ? [result.reason] : [],
    );
    expect(fulfilled).toEqual([{ run: 1, payload: runs[0]?.payload }]);
    expect(rejected.map((error: Error) => error.name)).toEqual(
      Array.from({ length: 9 }, () => 'IdempotencyAlreadyInProgressError'),
    );
    expect(retried).toEqual(fulfilled[0]);
  });

  it('runs once per distinct key', async () => {
    // Prepare
    const tableName = await newTable();
    const { runs, handle } = countingHandler();
    const once = idempotentByKey(handle, { tableName, client: dynamo.client });

    // Act
    const results = [];
    for (const key of ['event-1', 'event-2', 'event-3', 'event-2']) {
      results.push(await once({ idempotencyKey: key, payload: key }));
    }

    // Assess
    expect(runs.map((delivery) => delivery.idempotencyKey)).toEqual([
      'event-1',
      'event-2',
      'event-3',
    ]);
    expect(results).toEqual([
      { run: 1, payload: 'event-1' },
      { run: 2, payload: 'event-2' },
      { run: 3, payload: 'event-3' },
      { run: 2, payload: 'event-2' },
    ]);
  });

  it.each([
    ['empty', { idempotencyKey: '', payload: 'p' }],
    ['missing', { payload: 'p' } as unknown as Delivery],
  ])('fails closed on an %s key without running', async (_case, delivery) => {
    // Prepare
    const tableName = await newTable();
    const { runs, handle } = countingHandler();
    const once = idempotentByKey(handle, { tableName, client: dynamo.client });

    // Act
    const result = once(delivery);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'IdempotencyPersistenceLayerError',
      cause: { name: 'IdempotencyKeyError' },
    });
    expect(runs).toEqual([]);
    expect(await storedRecords(tableName)).toEqual([]);
  });

  it('stores nothing when the handler throws, so the next delivery runs again', async () => {
    // Prepare
    const tableName = await newTable();
    let attempts = 0;
    const once = idempotentByKey(
      async (_delivery: Delivery) => {
        attempts += 1;
        if (attempts === 1) throw new Error('SNS unavailable');
        return { attempts };
      },
      { tableName, client: dynamo.client },
    );

    // Act
    const first = once({ idempotencyKey: 'event-1', payload: 'p' });
    await expect(first).rejects.toThrow('SNS unavailable');
    const second = await once({ idempotencyKey: 'event-1', payload: 'p' });

    // Assess
    expect(second).toEqual({ attempts: 2 });
  });

  it('lets a retry run again once the invocation holding the key has timed out', async () => {
    // Prepare
    const tableName = await newTable();
    const runs: string[] = [];
    const once = idempotentByKey(
      (delivery: Delivery) => {
        runs.push(delivery.payload);
        // The first invocation never finishes, like one killed by its Lambda timeout.
        return runs.length === 1 ? new Promise<string>(() => {}) : Promise.resolve('done');
      },
      { tableName, client: dynamo.client },
    );
    void once(
      { idempotencyKey: 'event-1', payload: 'timed out' },
      { getRemainingTimeInMillis: () => 20 },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    const retried = await once({ idempotencyKey: 'event-1', payload: 'retry' });

    // Assess
    expect(retried).toBe('done');
    expect(runs).toEqual(['timed out', 'retry']);
  });

  it('keeps a key in progress for up to 15 minutes when called outside Lambda', async () => {
    // Prepare
    const tableName = await newTable();
    let runs = 0;
    const once = idempotentByKey(
      (_delivery: Delivery) => {
        runs += 1;
        return new Promise<string>(() => {});
      },
      { tableName, client: dynamo.client },
    );
    void once({ idempotencyKey: 'event-1', payload: 'hanging' });
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    const second = once({ idempotencyKey: 'event-1', payload: 'second' });

    // Assess
    await expect(second).rejects.toMatchObject({ name: 'IdempotencyAlreadyInProgressError' });
    expect(runs).toBe(1);
    const [record] = await storedRecords(tableName);
    expect(record?.in_progress_expiration).toBeGreaterThan(Date.now() + 14 * 60 * 1000);
    expect(record?.in_progress_expiration).toBeLessThanOrEqual(Date.now() + 15 * 60 * 1000);
  });

  it.each([
    ['48 hours by default', undefined, DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS],
    ['the configured time', 600, 600],
  ])(
    'stores the result under `id` with an `expiration` %s ahead',
    async (_case, configured, expected) => {
      // Prepare
      const tableName = await newTable();
      const once = idempotentByKey(async (_delivery: Delivery) => 'ok', {
        tableName,
        client: dynamo.client,
        ...(configured === undefined ? {} : { expiresAfterSeconds: configured }),
      });
      const before = Math.floor(Date.now() / 1000);

      // Act
      await once({ idempotencyKey: 'event-1', payload: 'p' });

      // Assess
      const records = await storedRecords(tableName);
      expect(records).toEqual([
        expect.objectContaining({
          [IDEMPOTENCY_TABLE.partitionKey]: expect.any(String),
          status: 'COMPLETED',
          data: 'ok',
        }),
      ]);
      const expiration = records[0]?.[IDEMPOTENCY_TABLE.timeToLiveAttribute];
      expect(expiration).toBeGreaterThanOrEqual(before + expected);
      expect(expiration).toBeLessThanOrEqual(before + expected + 5);
    },
  );
});
