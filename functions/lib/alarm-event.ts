import { z } from 'zod';

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

export const SEVERITIES = ['critical', 'warning'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

export const ALARM_STATE_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export const AlarmStateValueSchema = z.enum(ALARM_STATE_VALUES);
export type AlarmStateValue = z.infer<typeof AlarmStateValueSchema>;

/** AWS region code as it appears in the event envelope, e.g. `us-east-1`, `us-gov-west-1`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;

const text = (max: number) => z.string().max(max);

export const AlarmStateSchema = z.object({
  value: AlarmStateValueSchema,
  reason: text(4096).optional(),
  timestamp: text(64).optional(),
  /** Composite alarms only: why CloudWatch holds the alarm's own actions. */
  actionsSuppressedBy: text(64).optional(),
  actionsSuppressedReason: text(1024).optional(),
});
export type AlarmState = z.infer<typeof AlarmStateSchema>;

export const MetricSchema = z.object({
  namespace: text(255),
  name: text(255),
  /** A map, not the `[{Name, Value}]` list of the CloudWatch API. */
  dimensions: z.record(text(255), text(1024)).optional(),
});

export const MetricDataQuerySchema = z.object({
  id: text(255).optional(),
  metricStat: z
    .object({
      metric: MetricSchema,
      period: z.number().optional(),
      stat: text(100).optional(),
    })
    .optional(),
  expression: text(10240).optional(),
  label: text(2048).optional(),
  returnData: z.boolean().optional(),
});
export type MetricDataQuery = z.infer<typeof MetricDataQuerySchema>;

export const AlarmConfigurationSchema = z.object({
  description: text(1024).optional(),
  /** Metric and metric-math alarms. Composite alarms have none. */
  metrics: z.array(MetricDataQuerySchema).max(100).optional(),
  /** Composite alarms only. */
  alarmRule: text(10240).optional(),
});
export type AlarmConfiguration = z.infer<typeof AlarmConfigurationSchema>;

/** Present when an alarm mute rule mutes the alarm's own actions. */
export const MuteDetailSchema = z.object({
  mutedByArn: text(2048).optional(),
  muteWindowStart: text(64).optional(),
  muteWindowEnd: text(64).optional(),
});

const quote = (value: unknown): string => JSON.stringify(value)?.slice(0, 100) ?? String(value);

export const AlarmStateChangeEventSchema = z.object({
  id: text(128),
  'detail-type': z.literal(ALARM_STATE_CHANGE_DETAIL_TYPE, {
    error: (issue) =>
      `unsupported detail-type ${quote(issue.input)}: only "${ALARM_STATE_CHANGE_DETAIL_TYPE}" is handled`,
  }),
  source: z.literal('aws.cloudwatch'),
  account: z.string().regex(ACCOUNT_ID, 'expected a 12-digit AWS account id'),
  time: text(64),
  region: z.string().regex(REGION, 'expected an AWS region code such as us-east-1'),
  /** The alarm ARN is `resources[0]`; the detail does not repeat it. */
  resources: z.array(text(2048)).max(20).optional(),
  detail: z.object({
    alarmName: z.string().min(1).max(255),
    state: AlarmStateSchema,
    previousState: AlarmStateSchema.optional(),
    configuration: AlarmConfigurationSchema.optional().catch(undefined),
    muteDetail: MuteDetailSchema.optional().catch(undefined),
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
