import * as z from 'zod/mini';
import { BLOCKED_BY, RUNBOOK_OUTCOMES } from '../core/runbook-registry.js';
import { RESOURCE_TYPES } from '../core/signal.js';
import { nonEmptyText } from '../events/schema-kit.js';
import { InvalidInputError } from './invalid-input.js';

/**
 * Payloads the runbook state machines send their task Lambdas. The state machine builds them
 * (see runbooks/kit/); an execution's own input reaches them as `input`/`state`,
 * so everything an operator typed is validated here again.
 */

export const ExecutionSchema = z.object({ id: nonEmptyText(2048), name: nonEmptyText(80) });

/** The part of a DescribeAlarms answer a check reads (a CheckAlarm state's result). */
export const DescribedAlarmsSchema = z.object({
  MetricAlarms: z.optional(z.array(z.object({ StateValue: z.optional(z.string()) }))),
  CompositeAlarms: z.optional(z.array(z.object({ StateValue: z.optional(z.string()) }))),
});
type DescribedAlarms = z.infer<typeof DescribedAlarmsSchema>;

/** The alarm's state from a CheckAlarm result; undefined when no such alarm exists. */
export const alarmStateOf = (alarm: DescribedAlarms | undefined): string | undefined =>
  alarm?.MetricAlarms?.[0]?.StateValue ?? alarm?.CompositeAlarms?.[0]?.StateValue;

/** The execution state as far as the report reads it: the skeleton's conventions. */
const RunStateSchema = z.object({
  incidentId: z.optional(nonEmptyText(64)),
  reason: z.optional(z.string()),
  guardrail: z.optional(
    z.object({
      incidentId: nonEmptyText(64),
      blockedBy: z.optional(z.enum(BLOCKED_BY)),
      /** The check's sentence: what it decided and why (a dry run, acting in mode dry-run…). */
      reason: z.optional(z.string()),
    }),
  ),
  /** Set by the catch-all (`ResultPath: $.error`) or a runbook's own failure path. */
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

/** `runbook-report` payload: one per outcome state, plus the catch-all's Escalate. */
export const ReportEventSchema = z.object({
  runbook: nonEmptyText(64),
  outcome: z.enum(RUNBOOK_OUTCOMES),
  target: z.object({ type: z.enum(RESOURCE_TYPES), id: nonEmptyText(255) }),
  /** What happened, in one sentence; Escalate leaves it out and the error says it. */
  detail: z.optional(z.string()),
  state: RunStateSchema,
  execution: ExecutionSchema,
});
export type ReportEvent = z.infer<typeof ReportEventSchema>;

/** The first problem of a failed parse, as one line (`input.instanceId: …`). */
export const describeParseError = (error: z.core.$ZodError): string => {
  const [issue] = error.issues;
  if (issue === undefined) return 'invalid payload';
  const path = issue.path.map(String).join('.');
  return path === '' || issue.message.startsWith(path)
    ? issue.message
    : `${path}: ${issue.message}`;
};

/** A task Lambda's payload per `schema`, or {@link InvalidInputError} saying what is wrong. */
export const parseTaskPayload = <S extends z.ZodMiniType>(
  schema: S,
  event: unknown,
): z.infer<S> => {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidInputError(describeParseError(parsed.error));
  return parsed.data;
};

/** The report payload; a bad one is the state machine's bug, reported as such. */
export const parseReportEvent = (event: unknown): ReportEvent => {
  const parsed = ReportEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new Error(`runbook-report got an invalid payload: ${describeParseError(parsed.error)}`);
  }
  return parsed.data;
};
