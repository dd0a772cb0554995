import * as z from 'zod/mini';
import {
  type EventOf,
  lazyEventBridgeEvent,
  nonEmptyText,
  optionalText,
  text,
} from './schema-kit.js';

export const ALARM_STATE_CHANGE_DETAIL_TYPE = 'CloudWatch Alarm State Change';

const ALARM_STATE_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
/** The alarm's detail, with its parts: built with the schema, on first use. */
const alarmDetail = () => {
  const AlarmStateValueSchema = z.enum(ALARM_STATE_VALUES);

  const AlarmStateSchema = z.object({
    value: AlarmStateValueSchema,
    reason: optionalText(4096),
    timestamp: optionalText(64),
    /** Composite alarms only: why CloudWatch holds the alarm's own actions. */
    actionsSuppressedBy: optionalText(64),
    actionsSuppressedReason: optionalText(1024),
  });

  const MetricSchema = z.object({
    namespace: text(255),
    name: text(255),
    /** A map, not the `[{Name, Value}]` list of the CloudWatch API. */
    dimensions: z.optional(z.record(text(255), text(1024))),
  });

  const MetricDataQuerySchema = z.object({
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

  const AlarmConfigurationSchema = z.object({
    description: optionalText(1024),
    /** Metric and metric-math alarms. Composite alarms have none. */
    metrics: z.optional(z.array(MetricDataQuerySchema).check(z.maxLength(100))),
    /** Composite alarms only. */
    alarmRule: optionalText(10240),
  });
  return z.object({
    alarmName: nonEmptyText(255),
    state: AlarmStateSchema,
    previousState: z.optional(AlarmStateSchema),
    // A malformed configuration costs the classification detail, never the event itself.
    configuration: z.catch(z.optional(AlarmConfigurationSchema), undefined),
  });
};

/**
 * `aws.cloudwatch` "CloudWatch Alarm State Change". Only this detail-type: "CloudWatch Alarm
 * Configuration Change" also carries `detail.state` (possibly ALARM) and must never page.
 * The alarm ARN lives in `resources[0]`; dimensions are a map.
 */
export const AlarmStateChangeSchema = lazyEventBridgeEvent(
  'aws.cloudwatch',
  [ALARM_STATE_CHANGE_DETAIL_TYPE],
  alarmDetail,
);
export type AlarmStateChangeEvent = EventOf<typeof AlarmStateChangeSchema>;
