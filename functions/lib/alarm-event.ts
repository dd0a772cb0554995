import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { SEVERITIES } from './severity.js';

// zod/mini instead of classic zod: the same validation in ~30 KB of bundle instead of ~440 KB
// (cold start). It ships no messages by default; the English locale keeps reasons readable.
z.config(en());

/**
 * Input of the interim alarm notifier and the CloudWatch "Alarm State Change" event it carries.
 *
 * Only the fields the notifier uses are declared (unknown keys are dropped). Strings are capped
 * at (or somewhat above) the limits CloudWatch itself enforces, so a forged or corrupted event
 * cannot blow up the rendered message. Fields that only decorate the message
 * (`configuration`, `muteDetail`) fall back to `undefined` when malformed: a strange description
 * must never cost us the alert itself.
 */

export const ALARM_STATE_CHANGE_DETAIL_TYPE = 'CloudWatch Alarm State Change';

export const SeveritySchema = z.enum(SEVERITIES);

export const ALARM_STATE_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export const AlarmStateValueSchema = z.enum(ALARM_STATE_VALUES);
export type AlarmStateValue = z.infer<typeof AlarmStateValueSchema>;

/** AWS region code as it appears in the event envelope, e.g. `us-east-1`, `us-gov-west-1`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;

const text = (max: number) => z.string().check(z.maxLength(max));
const optionalText = (max: number) => z.optional(text(max));

export const AlarmStateSchema = z.object({
  value: AlarmStateValueSchema,
  reason: optionalText(4096),
  timestamp: optionalText(64),
  /** Composite alarms only: why CloudWatch holds the alarm's own actions. */
  actionsSuppressedBy: optionalText(64),
  actionsSuppressedReason: optionalText(1024),
});
export type AlarmState = z.infer<typeof AlarmStateSchema>;

export const MetricSchema = z.object({
  namespace: text(255),
  name: text(255),
  /** A map, not the `[{Name, Value}]` list of the CloudWatch API. */
  dimensions: z.optional(z.record(text(255), text(1024))),
});

export const MetricDataQuerySchema = z.object({
  id: optionalText(255),
  metricStat: z.optional(
    z.object({
      metric: MetricSchema,
      period: z.optional(z.number()),
      stat: optionalText(100),
    }),
  ),
  expression: optionalText(10240),
  label: optionalText(2048),
  returnData: z.optional(z.boolean()),
});
export type MetricDataQuery = z.infer<typeof MetricDataQuerySchema>;

export const AlarmConfigurationSchema = z.object({
  description: optionalText(1024),
  /** Metric and metric-math alarms. Composite alarms have none. */
  metrics: z.optional(z.array(MetricDataQuerySchema).check(z.maxLength(100))),
  /** Composite alarms only. */
  alarmRule: optionalText(10240),
});
export type AlarmConfiguration = z.infer<typeof AlarmConfigurationSchema>;

/** Present when an alarm mute rule mutes the alarm's own actions. */
export const MuteDetailSchema = z.object({
  mutedByArn: optionalText(2048),
  muteWindowStart: optionalText(64),
  muteWindowEnd: optionalText(64),
});

const quote = (value: unknown): string => JSON.stringify(value)?.slice(0, 100) ?? String(value);

export const AlarmStateChangeEventSchema = z.object({
  id: text(128),
  'detail-type': z.literal(ALARM_STATE_CHANGE_DETAIL_TYPE, {
    error: (issue) =>
      `unsupported detail-type ${quote(issue.input)}: only "${ALARM_STATE_CHANGE_DETAIL_TYPE}" is handled`,
  }),
  source: z.literal('aws.cloudwatch'),
  account: z.string().check(z.regex(ACCOUNT_ID, 'expected a 12-digit AWS account id')),
  time: text(64),
  region: z.string().check(z.regex(REGION, 'expected an AWS region code such as us-east-1')),
  /** The alarm ARN is `resources[0]`; the detail does not repeat it. */
  resources: z.optional(z.array(text(2048)).check(z.maxLength(20))),
  detail: z.object({
    alarmName: z.string().check(z.minLength(1), z.maxLength(255)),
    state: AlarmStateSchema,
    previousState: z.optional(AlarmStateSchema),
    configuration: z.catch(z.optional(AlarmConfigurationSchema), undefined),
    muteDetail: z.catch(z.optional(MuteDetailSchema), undefined),
  }),
});
export type AlarmStateChangeEvent = z.infer<typeof AlarmStateChangeEventSchema>;

/**
 * What the EventBridge rule's input transformer delivers:
 * `{"severity": "critical" | "warning", "event": <aws.events.event>}`.
 */
export const AlarmNotificationSchema = z.object({
  severity: SeveritySchema,
  event: AlarmStateChangeEventSchema,
});
export type AlarmNotification = z.infer<typeof AlarmNotificationSchema>;

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

const MAX_REPORTED_ISSUES = 5;

const describeIssues = (issues: readonly z.core.$ZodIssue[]): string => {
  const described = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path === '' ? '(input)' : path}: ${issue.message}`;
  });
  const more = issues.length - described.length;
  return described.join('; ') + (more > 0 ? `; and ${more} more issue(s)` : '');
};

/**
 * Validates the notifier input. Never throws: bad input is a value (`ok: false`) with a reason
 * that names the offending field, so the caller can log it and drop the event instead of
 * crash-looping on something that will never become valid.
 */
export const parseAlarmNotification = (input: unknown): ParseResult<AlarmNotification> => {
  const result = AlarmNotificationSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    reason: `invalid alarm notification: ${describeIssues(result.error.issues)}`,
  };
};
