import { beforeAll, describe, expect, it } from 'vitest';
import {
  getAtt,
  onlyResource,
  PROD_EU_CONTEXT,
  ref,
  referencedIds,
  resourcesOf,
  type SynthesizedShop,
  synthShop,
} from './synth-shop.js';

/** The shop's alarms; the control plane's alarm rule routes their state changes to triage. */
const CRITICAL_SHOP_ALARMS = [
  'alb-elb-5xx',
  'alb-target-5xx-rate',
  'web-in-service-below-min',
  'db-free-storage-low',
  'cloudfront-5xx-rate',
  'shop-checkout-errors',
];
const WARNING_SHOP_ALARMS = [
  'alb-unhealthy-hosts',
  'alb-target-p99-latency',
  'web-cpu-high',
  'web-memory-high',
  'web-memory-outlier',
  'db-cpu-high',
  'db-freeable-memory-low',
  'db-connections-high',
  'db-replica-1-lag',
  'db-replica-2-lag',
  'cache-engine-cpu-high',
  'cache-memory-high',
  'cache-evictions',
  'cache-replication-lag',
  'shop-p99-latency',
  'shop-db-errors',
];
/** Alarms on the alerting path itself; they publish to the ops topic, not the topic they watch. */
const ALERTING_PATH_ALARMS = ['alerts-dead-letters'];

interface AlarmProps {
  readonly AlarmName: string;
  readonly AlarmDescription: string;
  readonly AlarmActions?: unknown[];
}
interface SubscriptionProps {
  readonly Protocol: string;
  readonly Endpoint: string;
  readonly TopicArn: unknown;
  readonly FilterPolicy?: unknown;
}

const alarmsOf = ({ template }: SynthesizedShop) =>
  resourcesOf<AlarmProps>(template, 'AWS::CloudWatch::Alarm');
const alertsTopicOf = ({ template }: SynthesizedShop, stage: string) =>
  onlyResource(template, 'AWS::SNS::Topic', { TopicName: `rebound-${stage}-alerts` });
const withPrefix = (names: readonly string[], prefix = 'rebound-dev-') =>
  names.map((name) => `${prefix}${name}`).sort();

describe('shop alarms', () => {
  let dev: SynthesizedShop;
  let prodEu: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
    prodEu = synthShop(PROD_EU_CONTEXT);
  });

  it('creates exactly the expected alarms', () => {
    // Prepare
    const expected = withPrefix([
      ...CRITICAL_SHOP_ALARMS,
      ...WARNING_SHOP_ALARMS,
      ...ALERTING_PATH_ALARMS,
    ]);

    // Act
    const names = alarmsOf(dev).map(({ props }) => props.AlarmName);

    // Assess
    expect(names.sort()).toEqual(expected);
  });

  it.each([
    ['dev', () => dev],
    ['prod', () => prodEu],
  ] as const)('starts every %s alarm description with its severity', (_stage, shop) => {
    // Prepare
    const alarms = alarmsOf(shop());

    // Act
    const unmarked = alarms.filter(
      ({ props }) => !/^\[(critical|warning)\] \S/.test(props.AlarmDescription),
    );

    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    expect(unmarked.map(({ props }) => props.AlarmName)).toEqual([]);
  });

  it("alarms on the web group's worst instance only when it stands out from the group's average (a leak, not load)", () => {
    // Prepare
    const group = onlyResource(dev.template, 'AWS::AutoScaling::AutoScalingGroup');

    // Act
    const [outlier] = resourcesOf<AlarmProps & Record<string, unknown>>(
      dev.template,
      'AWS::CloudWatch::Alarm',
    ).filter(({ props }) => props.AlarmName === 'rebound-dev-web-memory-outlier');

    // Assess: the Maximum (worst instance) and Average of the agent's group-aggregated metric,
    // 3 of 3 one-minute datapoints of the IF over both.
    const metric = (stat: string) => ({
      MetricStat: {
        Metric: {
          Namespace: 'Rebound/WebTier',
          MetricName: 'mem_used_percent',
          Dimensions: [{ Name: 'AutoScalingGroupName', Value: ref(group.id) }],
        },
        Period: 60,
        Stat: stat,
      },
      ReturnData: false,
    });
    expect(outlier?.props).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      Metrics: expect.arrayContaining([
        expect.objectContaining({
          Expression: 'IF(worst >= 90 AND worst - mean >= 25, 1, 0)',
          ReturnData: true,
        }),
        { Id: 'worst', ...metric('Maximum') },
        { Id: 'mean', ...metric('Average') },
      ]),
    });
    expect(outlier?.props.AlarmDescription).toMatch(/^\[warning\] One web instance/);
  });

  it('has no CloudFront alarm outside us-east-1, where CloudFront publishes no metrics', () => {
    // Prepare
    const expected = withPrefix(
      [...CRITICAL_SHOP_ALARMS, ...WARNING_SHOP_ALARMS, ...ALERTING_PATH_ALARMS].filter(
        (name) => name !== 'cloudfront-5xx-rate',
      ),
      'rebound-prod-',
    );

    // Act
    const names = alarmsOf(prodEu).map(({ props }) => props.AlarmName);

    // Assess
    expect(names).not.toContain('rebound-prod-cloudfront-5xx-rate');
    expect(names.sort()).toEqual(expected);
  });

  it('gives shop alarms no actions: the control plane is the one alerting path', () => {
    // Act
    const shopAlarms = alarmsOf(dev).filter(
      ({ props }) => !withPrefix(ALERTING_PATH_ALARMS).includes(props.AlarmName),
    );

    // Assess
    expect(shopAlarms.length).toBeGreaterThan(0);
    for (const { props } of shopAlarms) {
      expect(props.AlarmActions, props.AlarmName).toBeUndefined();
    }
    expect(resourcesOf(dev.template, 'AWS::Events::Rule')).toEqual([]);
  });

  it('alarms on the alerting path to the ops topic, so a broken alerts topic is paged', () => {
    // Prepare
    const topic = onlyResource(dev.template, 'AWS::SNS::Topic', { TopicName: 'rebound-dev-ops' });

    // Act
    const direct = alarmsOf(dev).filter(({ props }) => props.AlarmActions !== undefined);

    // Assess
    expect(direct.map(({ props }) => props.AlarmName).sort()).toEqual(
      withPrefix(ALERTING_PATH_ALARMS),
    );
    for (const { props } of direct) {
      expect(props.AlarmActions, props.AlarmName).toEqual([ref(topic.id)]);
    }
  });

  it('shows every alarm on the dashboard', () => {
    // Prepare
    const alarmIds = alarmsOf(dev)
      .filter(({ props }) => !withPrefix(ALERTING_PATH_ALARMS).includes(props.AlarmName))
      .map(({ id }) => id);

    // Act
    const dashboard = onlyResource<{ DashboardName: string; DashboardBody: unknown }>(
      dev.template,
      'AWS::CloudWatch::Dashboard',
    );

    // Assess
    expect(dashboard.props.DashboardName).toBe('rebound-dev-shop');
    const referenced = new Set(referencedIds(dashboard.props.DashboardBody));
    for (const id of alarmIds) expect(referenced.has(id), id).toBe(true);
  });
});

describe('shop alerts topic', () => {
  let dev: SynthesizedShop;
  let prodEu: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
    prodEu = synthShop(PROD_EU_CONTEXT);
  });

  it('encrypts alerts with a customer managed KMS key', () => {
    // Prepare
    const { template } = dev;

    // Act
    const topic = alertsTopicOf(dev, 'dev');
    const keyId = referencedIds(topic.props.KmsMasterKeyId)[0] ?? 'no key';

    // Assess
    expect(topic.props.KmsMasterKeyId).toEqual(getAtt(keyId, 'Arn'));
    expect(resourcesOf(template, 'AWS::KMS::Key').map(({ id }) => id)).toContain(keyId);
  });

  it('lets AWS services use the alerts key only on behalf of this account', () => {
    // Prepare
    const topic = alertsTopicOf(dev, 'dev');
    const keyId = referencedIds(topic.props.KmsMasterKeyId)[0] ?? 'no key';
    const key = onlyResource<{
      KeyPolicy: {
        Statement: {
          Principal?: { Service?: string };
          Condition?: Record<string, Record<string, unknown>>;
        }[];
      };
    }>(dev.template, 'AWS::KMS::Key', { Description: 'Rebound alerts topic' });

    // Act
    const services = key.props.KeyPolicy.Statement.filter(
      (statement) => statement.Principal?.Service !== undefined,
    );

    // Assess: the confused-deputy guard (aws:SourceAccount) on every service statement.
    expect(key.id).toBe(keyId);
    expect(services.map((statement) => statement.Principal?.Service).sort()).toEqual([
      'cloudwatch.amazonaws.com',
      'sns.amazonaws.com',
    ]);
    for (const statement of services) {
      expect(statement.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({
        Ref: 'AWS::AccountId',
      });
    }
  });

  it('subscribes nobody when no recipient is configured', () => {
    // Prepare
    const { config, template } = dev;

    // Act
    const subscriptions = resourcesOf(template, 'AWS::SNS::Subscription');

    // Assess
    expect(config.alertEmails).toEqual([]);
    expect(config.alertSmsNumbers).toEqual([]);
    expect(subscriptions).toEqual([]);
  });

  it('sends everything by email and only critical alerts by SMS', () => {
    // Prepare
    const topic = alertsTopicOf(prodEu, 'prod');

    // Act
    const subscriptions = resourcesOf<SubscriptionProps>(
      prodEu.template,
      'AWS::SNS::Subscription',
    ).filter(({ props }) => JSON.stringify(props.TopicArn) === JSON.stringify(ref(topic.id)));
    const emails = subscriptions.filter(({ props }) => props.Protocol === 'email');
    const sms = subscriptions.filter(({ props }) => props.Protocol === 'sms');

    // Assess
    expect(subscriptions).toHaveLength(3);
    expect(emails.map(({ props }) => props.Endpoint).sort()).toEqual([
      'oncall@example.com',
      'ops@example.com',
    ]);
    expect(sms.map(({ props }) => props.Endpoint)).toEqual(['+15555550100']);
    for (const { props } of subscriptions) {
      expect(props.TopicArn, props.Endpoint).toEqual(ref(topic.id));
    }
    for (const { props } of emails) {
      expect(props, props.Endpoint).not.toHaveProperty('FilterPolicy');
    }
    expect(sms[0]?.props.FilterPolicy).toEqual({ severity: ['critical'], page: ['yes'] });
  });
});
