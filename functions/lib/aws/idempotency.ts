import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';

/**
 * The idempotency table, separate from the incident table, in the layout Powertools expects by
 * default: partition key `id` (string), TTL on `expiration` (epoch seconds).
 */
export const IDEMPOTENCY_TABLE = { partitionKey: 'id', timeToLiveAttribute: 'expiration' } as const;

/** EventBridge retries a delivery for up to 24 h; keys outlive that with a margin. */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 48 * 60 * 60;

export interface IdempotentByKeyOptions {
  readonly tableName: string;
  /** @default a client Powertools creates from the environment */
  readonly client?: DynamoDBClient;
  /** @default {@link DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS} */
  readonly expiresAfterSeconds?: number;
}

/** What Powertools reads from a Lambda context: the time left before the invocation times out. */
export type InvocationClock = Pick<Context, 'getRemainingTimeInMillis'>;

/**
 * Outside Lambda (replay, tests) there is no context; Powertools would then warn on every call
 * and keep a crashed call's in-progress marker until the key expires (48 h). Lambda's longest
 * timeout bounds it instead.
 */
const OUTSIDE_LAMBDA: InvocationClock = { getRemainingTimeInMillis: () => 15 * 60 * 1000 };

/**
 * `fn` made idempotent on `input.idempotencyKey` with Powertools (DynamoDB persistence): the
 * first call with a key runs `fn` and stores its result; later calls with the same key return
 * the stored result (a JSON copy: `R` should be plain data) without running `fn`. A call made
 * while the first one is still running fails with `IdempotencyAlreadyInProgressError` (the
 * caller's retry then gets the stored result). If `fn` throws, nothing is stored and the key can
 * be retried. A missing or empty key fails closed (Powertools' `IdempotencyKeyError`, wrapped in
 * `IdempotencyPersistenceLayerError`) without running `fn`.
 *
 * Pass the Lambda `context`: the in-progress marker then expires with the invocation, so a retry
 * after a timed-out invocation runs again. Without one it expires after 15 minutes. Keys are
 * prefixed with `AWS_LAMBDA_FUNCTION_NAME` (Powertools default).
 */
export function idempotentByKey<T extends { idempotencyKey: string }, R>(
  fn: (input: T) => Promise<R>,
  options: IdempotentByKeyOptions,
): (input: T, context?: InvocationClock) => Promise<R> {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    keyAttr: IDEMPOTENCY_TABLE.partitionKey,
    expiryAttr: IDEMPOTENCY_TABLE.timeToLiveAttribute,
    ...(options.client === undefined ? {} : { awsSdkV3Client: options.client }),
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'idempotencyKey',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.expiresAfterSeconds ?? DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  });
  // Powertools registers a second argument with `getRemainingTimeInMillis` as the Lambda context;
  // `fn` never sees it.
  const idempotent = makeIdempotent((input: T, _clock: InvocationClock) => fn(input), {
    persistenceStore,
    config,
  });
  return (input, context) => idempotent(input, context ?? OUTSIDE_LAMBDA);
}
