import {
  type AlarmSettings,
  type MathAlarmSettings,
  SIMULATED_ACCOUNT,
} from '../../infra/recovery/shop-settings.js';

/**
 * The AWS events the simulated shop emits, in the shapes AWS documents (the same shapes as the
 * samples in test/fixtures/events/ and sandbox/showcase/night.jsonl), so that they go through
 * the synthesized intake rules and the real event parsers unchanged.
 */

export const ACCOUNT = SIMULATED_ACCOUNT;

export interface AwsEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** A deterministic event id (a UUID's shape) from a counter. */
export const eventIdFor = (n: number): string => {
  const hex = n.toString(16).padStart(12, '0');
  return `9a3e0000-0000-4000-8000-${hex}`;
};

/** `2026-03-12T02:58:10Z`, the envelope's time format (whole seconds). */
export const envelopeTime = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const envelope = (
  id: string,
  ms: number,
  region: string,
  source: string,
  detailType: string,
  resources: readonly string[],
  detail: Record<string, unknown>,
): AwsEvent => ({
  version: '0',
  id,
  'detail-type': detailType,
  source,
  account: ACCOUNT,
  time: envelopeTime(ms),
  region,
  resources,
  detail,
});

/** "CloudWatch Alarm State Change" for a single-metric alarm, its configuration as deployed. */
export const alarmStateChange = (
  id: string,
  ms: number,
  region: string,
  alarm: AlarmSettings | MathAlarmSettings,
  from: string,
  to: string,
  reason: string,
): AwsEvent => {
  const stamp = new Date(ms).toISOString().replace('Z', '+0000');
  const metricStat = (
    metric: Omit<AlarmSettings, 'name'> | MathAlarmSettings['metrics'][number],
  ) => ({
    metric: { dimensions: metric.dimensions, name: metric.metricName, namespace: metric.namespace },
    period: metric.periodSeconds,
    stat: metric.statistic,
  });
  // A metric-math alarm lists its expression (returned) and each metric query it reads (not
  // returned), as AWS's metric-math sample event does (test/fixtures/events/cloudwatch).
  const metrics =
    'expression' in alarm
      ? [
          {
            id: alarm.expressionId,
            expression: alarm.expression,
            label: alarm.label,
            returnData: true,
          },
          ...alarm.metrics.map((metric) => ({
            id: metric.id,
            metricStat: metricStat(metric),
            returnData: false,
          })),
        ]
      : [{ id: 'm1', metricStat: metricStat(alarm), returnData: true }];
  return envelope(
    id,
    ms,
    region,
    'aws.cloudwatch',
    'CloudWatch Alarm State Change',
    [`arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${alarm.name}`],
    {
      alarmName: alarm.name,
      configuration: {
        description: alarm.description,
        metrics,
      },
      previousState: { reason: 'previous evaluation', timestamp: stamp, value: from },
      state: { reason, timestamp: stamp, value: to },
    },
  );
};

/** The web group's ARN (its id part made up, one value for every game day). */
export const autoScalingGroupArn = (region: string, group: string): string =>
  `arn:aws:autoscaling:${region}:${ACCOUNT}:autoScalingGroup:2f6c8a41-7d3e-4b9a-8c1f-5e0d9b7a6c31:autoScalingGroupName/${group}`;

/**
 * "EC2 Instance Launch|Terminate Successful" of the web group, or "EC2 Instance Launch
 * Unsuccessful" when a launch was abandoned (`failure`: its activity's status message).
 */
export const autoScalingActivity = (
  id: string,
  ms: number,
  region: string,
  kind: 'Launch' | 'Terminate',
  group: string,
  instance: { readonly id: string; readonly availabilityZone: string },
  cause: string,
  failure?: string,
): AwsEvent =>
  envelope(
    id,
    ms,
    region,
    'aws.autoscaling',
    `EC2 Instance ${kind} ${failure === undefined ? 'Successful' : 'Unsuccessful'}`,
    [
      autoScalingGroupArn(region, group),
      `arn:aws:ec2:${region}:${ACCOUNT}:instance/${instance.id}`,
    ],
    {
      // AWS-FACTS: StatusCode can read InProgress on "Successful" events.
      StatusCode: failure === undefined ? 'InProgress' : 'Cancelled',
      Description: `${kind === 'Launch' ? 'Launching a new' : 'Terminating'} EC2 instance: ${instance.id}`,
      AutoScalingGroupName: group,
      ActivityId: id,
      Details: {
        'Availability Zone': instance.availabilityZone,
        'Subnet ID': 'subnet-0b7e2c4d6f8a1e3c5',
      },
      RequestId: id,
      StatusMessage: failure ?? '',
      EndTime: envelopeTime(ms),
      EC2InstanceId: instance.id,
      StartTime: envelopeTime(ms),
      Cause: cause,
    },
  );

/**
 * "EC2 Instance-launch Lifecycle Action": the group put a new instance in Pending:Wait for a
 * launch lifecycle hook (EC2 Auto Scaling User Guide, "Amazon EventBridge events for Amazon EC2
 * Auto Scaling": LifecycleActionToken, AutoScalingGroupName, LifecycleHookName, EC2InstanceId,
 * LifecycleTransition).
 */
export const autoScalingLaunchLifecycleAction = (
  id: string,
  ms: number,
  region: string,
  group: string,
  hookName: string,
  instanceId: string,
): AwsEvent =>
  envelope(
    id,
    ms,
    region,
    'aws.autoscaling',
    'EC2 Instance-launch Lifecycle Action',
    [autoScalingGroupArn(region, group)],
    {
      Origin: 'EC2',
      Destination: 'AutoScalingGroup',
      LifecycleActionToken: id,
      AutoScalingGroupName: group,
      LifecycleHookName: hookName,
      EC2InstanceId: instanceId,
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    },
  );

/** "RDS DB Instance Event" (RDS-EVENT-xxxx) of a DB instance. */
export const rdsInstanceEvent = (
  id: string,
  ms: number,
  region: string,
  dbInstanceId: string,
  eventId: string,
  category: string,
  message: string,
): AwsEvent => {
  const arn = `arn:aws:rds:${region}:${ACCOUNT}:db:${dbInstanceId}`;
  return envelope(id, ms, region, 'aws.rds', 'RDS DB Instance Event', [arn], {
    EventCategories: [category],
    SourceType: 'DB_INSTANCE',
    SourceArn: arn,
    Date: new Date(ms).toISOString(),
    Message: message,
    SourceIdentifier: dbInstanceId,
    EventID: eventId,
  });
};

/**
 * "Step Functions Execution Status Change" for a run that ended, in the shape of the AWS
 * Step Functions Developer Guide's example (test/fixtures/events/states/execution-failed.json):
 * the execution, its state machine, status, start and stop (epoch ms) and its input as a string.
 */
export const executionStatusChange = (
  id: string,
  ms: number,
  region: string,
  run: {
    readonly arn: string;
    readonly name: string;
    readonly status: string;
    readonly startedAt: number;
    readonly input: unknown;
  },
): AwsEvent => {
  const stateMachine = run.arn.split(':').at(-2) ?? '';
  return envelope(
    id,
    ms,
    region,
    'aws.states',
    'Step Functions Execution Status Change',
    [run.arn],
    {
      executionArn: run.arn,
      stateMachineArn: `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${stateMachine}`,
      name: run.name,
      status: run.status,
      startDate: run.startedAt,
      stopDate: ms,
      input: JSON.stringify(run.input),
      output: null,
    },
  );
};

/**
 * An ElastiCache notification as Lambda receives it from the cache's SNS topic (AWS-FACTS: a
 * replication group publishes its events only there). Message: `ElastiCache:<Event> : <source>`.
 */
export interface SnsDelivery {
  readonly Records: readonly {
    readonly EventSource: 'aws:sns';
    readonly EventVersion: '1.0';
    readonly EventSubscriptionArn: string;
    readonly Sns: Record<string, unknown>;
  }[];
}

export const cacheNotification = (
  id: string,
  ms: number,
  region: string,
  topicName: string,
  event: string,
  source: string,
): SnsDelivery => {
  const topicArn = `arn:aws:sns:${region}:${ACCOUNT}:${topicName}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:21be56ed-a058-49f5-8c98-aedd2564c486`,
        Sns: {
          Type: 'Notification',
          MessageId: id,
          TopicArn: topicArn,
          Subject: null,
          Message: `ElastiCache:${event} : ${source}`,
          Timestamp: new Date(ms).toISOString(),
          SignatureVersion: '1',
          Signature: 'simulated',
          SigningCertUrl: `https://sns.${region}.amazonaws.com/SimpleNotificationService-0000.pem`,
          UnsubscribeUrl: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe`,
          MessageAttributes: {},
        },
      },
    ],
  };
};

/**
 * "AWS Health Event" of an EC2 operational issue in one AZ, as AWS Health posts it for an AZ
 * power loss: the shape of test/fixtures/events/health/ec2-az-operational-issue.json, naming the
 * AZ by its ID (each account maps IDs to names its own way).
 */
export const healthAzIssue = (
  id: string,
  ms: number,
  region: string,
  azId: string,
  issue: { readonly startMs: number; readonly id: string },
  status: 'open' | 'closed',
  /** What AWS says has happened (a loss of power unless given). */
  what: { readonly open: string; readonly closed: string } = {
    open: 'a loss of power affecting EC2 instances',
    closed: 'Power has been restored',
  },
): AwsEvent => {
  const code = 'AWS_EC2_OPERATIONAL_ISSUE';
  const stamp = (at: number) => new Date(at).toUTCString();
  return envelope(id, ms, region, 'aws.health', 'AWS Health Event', [], {
    // One ARN for the issue: its updates and its closing name the same event.
    eventArn: `arn:aws:health:${region}::event/EC2/${code}/${code}_${issue.id}`,
    service: 'EC2',
    eventTypeCode: code,
    eventTypeCategory: 'issue',
    eventScopeCode: 'PUBLIC',
    communicationId: `${id}-1`,
    startTime: stamp(issue.startMs),
    lastUpdatedTime: stamp(ms),
    statusCode: status,
    eventRegion: region,
    eventDescription: [
      {
        language: 'en_US',
        latestDescription:
          status === 'open'
            ? `Current severity level: Degraded\n\nWe are investigating ${what.open} in a single Availability Zone (${azId}) in the ${region.toUpperCase()} Region. Other Availability Zones are not affected.`
            : `Current severity level: Resolved\n\n${what.closed} in the affected Availability Zone (${azId}) in the ${region.toUpperCase()} Region, and the issue has been resolved. The service is operating normally.`,
      },
    ],
    affectedEntities: [],
    page: '1',
    totalPages: '1',
    backupEvent: 'false',
    affectedAccount: ACCOUNT,
    personas: ['OPERATIONS'],
  });
};

/** What the timeline calls a delivered event. */
export const describeEvent = (event: AwsEvent | SnsDelivery): string => {
  if ('Records' in event) return String(event.Records[0]?.Sns.Message ?? 'SNS notification');
  const eventId = event.detail.EventID;
  return `${event['detail-type']}${typeof eventId === 'string' ? ` ${eventId}` : ''}`;
};

/** What one AWS Health event says (the envelope and the rest follow AWS's documented shape). */
export interface HealthEventFields {
  readonly service: string;
  readonly eventTypeCode: string;
  readonly category: 'issue' | 'scheduledChange';
  readonly description: string;
  /** Affected resources, as ARNs. */
  readonly entityValues: readonly string[];
  /** When the issue began or the scheduled change happens, ms. */
  readonly startTime: number;
}

/**
 * An account-specific "AWS Health Event" in the shape of test/fixtures/events/health/
 * (ec2-instance-retirement-scheduled.json, elasticache-operational-issue.json).
 */
export const healthEvent = (
  id: string,
  ms: number,
  region: string,
  fields: HealthEventFields,
): AwsEvent => {
  const httpDate = (at: number) => new Date(at).toUTCString();
  return envelope(id, ms, region, 'aws.health', 'AWS Health Event', [], {
    eventArn: `arn:aws:health:${region}::event/${fields.eventTypeCode}_${id.slice(-12)}`,
    service: fields.service,
    eventTypeCode: fields.eventTypeCode,
    eventTypeCategory: fields.category,
    eventScopeCode: 'ACCOUNT_SPECIFIC',
    communicationId: `${id.slice(-12)}-1`,
    startTime: httpDate(fields.startTime),
    lastUpdatedTime: httpDate(ms),
    statusCode: fields.category === 'issue' ? 'open' : 'upcoming',
    eventRegion: region,
    eventDescription: [{ language: 'en_US', latestDescription: fields.description }],
    affectedEntities: fields.entityValues.map((entityValue) => ({
      entityValue,
      lastUpdatedTime: httpDate(ms),
      status: 'PENDING',
    })),
    affectedAccount: ACCOUNT,
  });
};
