import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini ships no messages by default; the English locale keeps parse failures readable.
z.config(en());

/**
 * Building blocks shared by the event schemas. Every string is capped: a forged or corrupted
 * event must fail validation instead of carrying megabytes into logs, DynamoDB items or alerts.
 */

/** AWS region code as it appears in an event envelope, e.g. `us-east-1`, `us-gov-west-1`. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const ACCOUNT_ID = /^\d{12}$/;

export const text = (max: number) => z.string().check(z.maxLength(max));
export const optionalText = (max: number) => z.optional(text(max));
export const nonEmptyText = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
/**
 * Free text AWS may write at length (a Health description): cut to `max` characters, the last
 * one `…`, instead of refusing the whole event for it.
 */
export const truncatedText = (max: number) =>
  z.pipe(
    z.string(),
    z.transform((value) => (value.length <= max ? value : `${value.slice(0, max - 1)}…`)),
  );
export const list = <T extends z.ZodMiniType>(item: T, max: number) =>
  z.array(item).check(z.maxLength(max));

/**
 * The EventBridge envelope around one accepted `source` and its `detail-type`s.
 * Only the fields triage reads are declared; unknown keys are dropped.
 */
export const eventBridgeEvent = <
  const Source extends string,
  const DetailTypes extends readonly [string, ...string[]],
  Detail extends z.ZodMiniType,
>(
  source: Source,
  detailTypes: DetailTypes,
  detail: Detail,
) =>
  z.object({
    version: text(16),
    id: nonEmptyText(128),
    'detail-type': z.enum(detailTypes),
    source: z.literal(source),
    account: z.string().check(z.regex(ACCOUNT_ID, 'expected a 12-digit AWS account id')),
    time: nonEmptyText(64),
    region: z.string().check(z.regex(REGION, 'expected an AWS region code such as us-east-1')),
    resources: z.optional(list(text(2048), 100)),
    /** Set on events replayed from an archive. */
    'replay-name': optionalText(256),
    detail,
  });

/**
 * A schema built on its first use, once per container: triage parses one kind of event per
 * invocation, so building every kind's schema at load would be work its events never need
 * (the ten schemas an alarm does not use cost about 4 ms of CPU; README, Benchmark).
 */
export const builtOnce = <T>(build: () => T): (() => T) => {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
};

/**
 * An {@link eventBridgeEvent} schema built on its first use ({@link builtOnce}), with the
 * `source` and `detailTypes` that pick it readable before. `detail` builds the detail's schema,
 * sub-schemas included.
 */
export const lazyEventBridgeEvent = <
  const Source extends string,
  const DetailTypes extends readonly [string, ...string[]],
  Detail extends z.ZodMiniType,
>(
  source: Source,
  detailTypes: DetailTypes,
  detail: () => Detail,
) => ({
  source,
  detailTypes,
  schema: builtOnce(() => eventBridgeEvent(source, detailTypes, detail())),
});

/** The event a lazily built schema accepts. */
export type EventOf<T extends { readonly schema: () => z.ZodMiniType }> = z.infer<
  ReturnType<T['schema']>
>;
