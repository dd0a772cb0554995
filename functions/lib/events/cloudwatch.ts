import * as z from 'zod/mini';
import {
  ALARM_STATE_CHANGE_DETAIL_TYPE,
  AlarmConfigurationSchema,
  AlarmStateSchema,
} from '../alarm-event.js';
import { eventBridgeEvent, nonEmptyText } from './schema-kit.js';

/**
 * `aws.cloudwatch` "CloudWatch Alarm State Change". Only this detail-type: "CloudWatch Alarm
 * Configuration Change" also carries `detail.state` (possibly ALARM) and must never page.
 * The alarm ARN lives in `resources[0]`; dimensions are a map.
 */
export const AlarmStateChangeSchema = eventBridgeEvent(
  'aws.cloudwatch',
  [ALARM_STATE_CHANGE_DETAIL_TYPE],
  z.object({
    alarmName: nonEmptyText(255),
    state: AlarmStateSchema,
    previousState: z.optional(AlarmStateSchema),
    // A malformed configuration costs the classification detail, never the event itself.
    configuration: z.catch(z.optional(AlarmConfigurationSchema), undefined),
  }),
);
export type AlarmStateChangeEvent = z.infer<typeof AlarmStateChangeSchema>;
