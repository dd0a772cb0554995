import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { RESOURCE_TYPES } from '../core/signal.js';
import { InvalidInputError, RUNBOOK_OUTCOMES } from './outcome.js';

// zod/mini keeps the task Lambdas' bundles small (see alarm-event.ts).
z.config(en());

/**
 * Payloads the runbook state machines send their task Lambdas. The state machine builds them
 * (see runbooks/runbook-skeleton.ts); an execution's own input reaches them as `input`/`state`,
 * so everything an operator typed is validated here again.
 */

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

export const INSTANCE_ID_PATTERN = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const INSTANCE_ID_HINT =
  'input.instanceId must be an EC2 instance id such as i-0123456789abcdef0';

export const ExecutionSchema = z.object({ id: text(2048), name: text(80) });

/** The part of a DescribeAlarms answer the guardrail reads (the CheckAlarm state's result). */
const DescribedAlarmsSchema = z.object({
  MetricAlarms: z.optional(z.array(z.object({ StateValue: z.optional(z.string()) }))),
  CompositeAlarms: z.optional(z.array(z.object({ StateValue: z.optional(z.string()) }))),
});

/** `runbook-guardrail` payload: `{ input: $, execution: $$.Execution }`. */
export const GuardrailEventSchema = z.object({
  input: z.object({
    instanceId: z.string().check(z.regex(INSTANCE_ID_PATTERN, { error: INSTANCE_ID_HINT })),
    incidentId: z.optional(text(64)),
    alarmName: z.optional(text(255)),
    reason: z.optional(z.string().check(z.maxLength(500))),
    alarm: z.optional(DescribedAlarmsSchema),
  }),
  execution: ExecutionSchema,
});
export type GuardrailEvent = z.infer<typeof GuardrailEventSchema>;

/** The execution state as far as the report reads it: the skeleton's conventions. */
const RunStateSchema = z.object({
  incidentId: z.optional(text(64)),
  reason: z.optional(z.string().check(z.maxLength(500))),
  guardrail: z.optional(z.object({ incidentId: text(64), blockedBy: z.optional(text(64)) })),
  /** Set by the catch-all (`ResultPath: $.error`) or a runbook's own failure path. */
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

/** `runbook-report` payload: one per outcome state, plus the catch-all's Escalate. */
export const ReportEventSchema = z.object({
  runbook: text(64),
  outcome: z.enum(RUNBOOK_OUTCOMES),
  target: z.object({ type: z.enum(RESOURCE_TYPES), id: text(255) }),
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

/** The guardrail payload, or {@link InvalidInputError} saying what is wrong with it. */
export const parseGuardrailEvent = (event: unknown): GuardrailEvent => {
  const parsed = GuardrailEventSchema.safeParse(event);
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
