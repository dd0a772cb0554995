import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_GUARDRAILS,
  guardrailParameterValues,
} from '../../functions/lib/core/guardrails.js';
import { TRIAGE_ENVIRONMENT } from '../../functions/lib/environments.js';
import { FIRST_EVENTS } from '../../sandbox/bench/first-event.js';
import {
  createIdempotencyTable,
  createIncidentTable,
  type LocalDynamo,
  startDynalite,
} from '../support/dynalite.js';
import { ROOT } from '../support/run-script.js';

/**
 * The deployed triage handler end to end, its clients created lazily on the path that needs them
 * (functions/lib/aws/clients/): aws-sdk-client-mock mocks each client class's prototype, so it
 * intercepts the clients created on first use as it did those created at load; DynamoDB is a
 * real local one (dynalite).
 */

const env = TRIAGE_ENVIRONMENT.example;
/** The event path (with DynamoDB, a real local one here): every event loads it first. */
const EVENT_PATH = 'functions/lib/triage-events.ts';
const SCALE_OUT_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:rebound-dev-scale-out';

const mocks = {
  autoScaling: mockClient(AutoScalingClient),
  elbv2: mockClient(ElasticLoadBalancingV2Client),
  elastiCache: mockClient(ElastiCacheClient),
  rds: mockClient(RDSClient),
  scheduler: mockClient(SchedulerClient),
  sfn: mockClient(SFNClient),
  sns: mockClient(SNSClient),
  ssm: mockClient(SSMClient),
};

/** AWS's sample alarm (docs: CloudWatch events) as the shop's web CPU alarm, firing now. */
const webCpuAlarm = () => {
  const sample = JSON.parse(
    readFileSync(path.join(ROOT, 'test/fixtures/events/cloudwatch/alarm-asg-cpu.json'), 'utf8'),
  );
  const alarmName = 'rebound-dev-web-cpu-high';
  const now = new Date().toISOString();
  sample.time = now.replace(/\.\d+Z$/, 'Z');
  sample.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`];
  sample.detail.alarmName = alarmName;
  sample.detail.configuration.metrics[0].metricStat.metric.dimensions.AutoScalingGroupName =
    env.AUTO_SCALING_GROUP_NAME;
  sample.detail.state.timestamp = now.replace('Z', '+0000');
  return sample;
};

describe('triage handler, clients created on first use', () => {
  let dynamo: LocalDynamo;
  let handler: (raw: unknown) => Promise<void>;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await createIncidentTable(dynamo.client, env.INCIDENTS_TABLE);
    await createIdempotencyTable(dynamo.client, env.IDEMPOTENCY_TABLE);
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    vi.stubEnv('RUNBOOK_STATE_MACHINES', JSON.stringify({ 'scale-out': SCALE_OUT_ARN }));
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    // The SDK's service-specific endpoint variable: the handler's own DynamoDB client, unchanged.
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    ({ handler } = await import('../../functions/triage.js'));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    for (const mock of Object.values(mocks)) mock.restore();
    await dynamo.stop();
  });

  it('starts the runbook, pages and promises the recovery check through the clients of that path alone', async () => {
    // Prepare: automation on for scale-out; the group described for the alert.
    const guardrails = guardrailParameterValues({
      ...DEFAULT_GUARDRAILS,
      mode: 'auto',
      autoApprovedRunbooks: ['scale-out'],
    });
    mocks.ssm.on(GetParametersByPathCommand).resolves({
      Parameters: Object.entries(guardrails).map(([name, value]) => ({
        Name: `${env.GUARDRAILS_PATH}${name}`,
        Value: value,
        Type: 'String',
      })),
    });
    mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: env.AUTO_SCALING_GROUP_NAME,
          MinSize: 2,
          MaxSize: 6,
          DesiredCapacity: 6,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'ELB',
          CreatedTime: new Date(),
          Instances: [],
        },
      ],
    });
    mocks.sfn.on(StartExecutionCommand).resolves({
      executionArn: `${SCALE_OUT_ARN.replace(':stateMachine:', ':execution:')}:run`,
      startDate: new Date(),
    });
    // Which clients had been used when the alert went out (each loads with its first use).
    let usedBeforeAlert: string[] = [];
    const used = () =>
      Object.entries(mocks).flatMap(([name, mock]) => (mock.calls().length > 0 ? [name] : []));
    mocks.sns.on(PublishCommand).callsFake(() => {
      usedBeforeAlert = used();
      return { MessageId: 'message-1' };
    });
    mocks.scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });

    // Act
    await handler(webCpuAlarm());

    // Assess
    expect(mocks.sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: SCALE_OUT_ARN,
    });
    expect(mocks.sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: env.ALERTS_TOPIC_ARN,
    });
    expect(mocks.autoScaling).toHaveReceivedCommand(DescribeAutoScalingGroupsCommand);
    expect(mocks.ssm).toHaveReceivedCommand(GetParametersByPathCommand);
    // Target tracking promised to relieve the pressure: its check is scheduled.
    expect(mocks.scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      GroupName: env.RECOVERY_CHECK_GROUP,
    });
    for (const unused of [mocks.rds, mocks.elastiCache]) {
      expect(unused.calls()).toEqual([]);
    }
    // The bench's first-alert column loads what this event loaded before its alert, and its
    // whole-event column the rest (sandbox/bench/first-event.ts): the client modules of each.
    const clientModules: Record<string, string> = {
      ssm: 'functions/lib/aws/guardrail-parameters.ts',
      sfn: 'functions/lib/aws/clients/sfn.ts',
      autoScaling: 'functions/lib/aws/clients/fleet.ts',
      sns: 'functions/lib/aws/clients/sns.ts',
      scheduler: 'functions/lib/aws/clients/scheduler.ts',
    };
    const modulesOf = (clients: string[]) => clients.map((client) => clientModules[client]);
    expect(modulesOf(usedBeforeAlert).sort()).toEqual(
      FIRST_EVENTS.triage?.beforeAlert.filter((module) => module !== EVENT_PATH).sort(),
    );
    expect(modulesOf(used().filter((client) => !usedBeforeAlert.includes(client)))).toEqual(
      FIRST_EVENTS.triage?.afterAlert,
    );
  });
});
