import { beforeAll, describe, expect, it } from 'vitest';
import {
  getAtt,
  getAttTarget,
  onlyResource,
  PROD_EU_CONTEXT,
  ref,
  referencedIds,
  refTarget,
  resourcesOf,
  type SynthesizedShop,
  synthShop,
} from './synth-shop.js';

/** The shop's alarms, routed by severity through the EventBridge rules to the notifier. */
const CRITICAL_SHOP_ALARMS = [
  'alb-elb-5xx',
  'alb-target-5xx-rate',
  'web-in-service-below-min',
  'db-free-storage-low',
  'cloudfront-5xx-rate',
];
const WARNING_SHOP_ALARMS = [
  'alb-unhealthy-hosts',
  'alb-target-p99-latency',
  'web-cpu-high',
  'web-memory-high',
  'db-cpu-high',
  'db-freeable-memory-low',
  'db-connections-high',
  'db-replica-1-lag',
  'db-replica-2-lag',
  'cache-engine-cpu-high',
  'cache-memory-high',
  'cache-evictions',
  'cache-replication-lag',
];
/** Alarms on the alerting path itself; they publish straight to the alerts topic. */
const ALERTING_PATH_ALARMS = [
  'alarm-notifier-dead-letters',
  'alarm-notifier-errors',
  'alerts-dead-letters',
];

interface AlarmProps {
  readonly AlarmName: string;
  readonly AlarmDescription: string;
  readonly AlarmActions?: unknown[];
}
interface RuleProps {
  readonly Name: string;
  readonly EventPattern: {
    readonly source: string[];
    readonly 'detail-type': string[];
    readonly detail: { readonly alarmName: unknown[] };
  };
  readonly Targets: readonly {
    readonly Arn: unknown;
    readonly InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string };
    readonly DeadLetterConfig?: { Arn: unknown };
    readonly RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
  }[];
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
const notifierOf = ({ template }: SynthesizedShop) =>
  onlyResource(template, 'AWS::Lambda::Function', { FunctionName: 'rebound-dev-alarm-notifier' });
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

  it('routes each severity through its own EventBridge rule to the notifier', () => {
    // Prepare
    const { template } = dev;
    const nameOf = new Map(alarmsOf(dev).map(({ id, props }) => [id, props.AlarmName]));

    // Act
    const rules = resourcesOf<RuleProps>(template, 'AWS::Events::Rule');
    const alarmsIn = (ruleName: string) =>
      rules
        .find(({ props }) => props.Name === ruleName)
        ?.props.EventPattern.detail.alarmName.map((entry) => nameOf.get(refTarget(entry) ?? ''))
        .sort();

    // Assess
    expect(rules.map(({ props }) => props.Name).sort()).toEqual([
      'rebound-dev-critical-alarms',
      'rebound-dev-warning-alarms',
    ]);
    expect(alarmsIn('rebound-dev-critical-alarms')).toEqual(withPrefix(CRITICAL_SHOP_ALARMS));
    expect(alarmsIn('rebound-dev-warning-alarms')).toEqual(withPrefix(WARNING_SHOP_ALARMS));
    for (const { props } of rules) {
      expect(props.EventPattern.source).toEqual(['aws.cloudwatch']);
      expect(props.EventPattern['detail-type']).toEqual(['CloudWatch Alarm State Change']);
    }
  });

  it('puts every alarm in the rule of the severity its description states', () => {
    // Prepare
    const severityOf = new Map(
      alarmsOf(dev).map(({ id, props }) => [id, /^\[(\w+)\]/.exec(props.AlarmDescription)?.[1]]),
    );

    // Act
    const rules = resourcesOf<RuleProps>(dev.template, 'AWS::Events::Rule');

    // Assess
    for (const { props } of rules) {
      const severity = /^rebound-dev-(\w+)-alarms$/.exec(props.Name)?.[1];
      const members = props.EventPattern.detail.alarmName.map((entry) => refTarget(entry));
      for (const member of members) {
        expect(severityOf.get(member ?? ''), `${member} in ${props.Name}`).toBe(severity);
      }
    }
  });

  it('hands the notifier the severity, with retries and a dead-letter queue', () => {
    // Prepare
    const { template } = dev;
    const notifier = notifierOf(dev);
    const deadLetters = onlyResource(template, 'AWS::SQS::Queue', {
      QueueName: 'rebound-dev-alarm-notifier-dlq',
    });

    // Act
    const rules = resourcesOf<RuleProps>(template, 'AWS::Events::Rule');

    // Assess
    expect(rules).toHaveLength(2);
    for (const { props } of rules) {
      const severity = props.Name.includes('critical') ? 'critical' : 'warning';
      expect(props.Targets).toHaveLength(1);
      const [target] = props.Targets;
      expect(target?.Arn).toEqual(getAtt(notifier.id, 'Arn'));
      expect(target?.InputTransformer).toEqual({
        InputPathsMap: { f1: '$' },
        InputTemplate: `{"severity":"${severity}","event":<f1>}`,
      });
      expect(target?.DeadLetterConfig).toEqual({ Arn: getAtt(deadLetters.id, 'Arn') });
      expect(target?.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(target?.RetryPolicy?.MaximumEventAgeInSeconds).toBeGreaterThan(0);
    }
  });

  it('lets EventBridge and the notifier write to the encrypted dead-letter queue', () => {
    // Prepare
    const { template } = dev;
    const deadLetters = onlyResource<{ KmsMasterKeyId: unknown }>(template, 'AWS::SQS::Queue', {
      QueueName: 'rebound-dev-alarm-notifier-dlq',
    });
    const keyId = (deadLetters.props.KmsMasterKeyId as { 'Fn::GetAtt'?: string[] })[
      'Fn::GetAtt'
    ]?.[0];
    const key = resourcesOf<{ KeyPolicy: { Statement: Array<Record<string, unknown>> } }>(
      template,
      'AWS::KMS::Key',
    ).find(({ id }) => id === keyId);
    const notifierRole = getAttTarget((notifierOf(dev).props as { Role?: unknown }).Role);

    // Act
    const eventsStatement = key?.props.KeyPolicy.Statement.find(
      (statement) =>
        (statement.Principal as { Service?: string } | undefined)?.Service ===
        'events.amazonaws.com',
    );
    const roleStatements = resourcesOf<{
      Roles: unknown[];
      PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> };
    }>(template, 'AWS::IAM::Policy')
      .filter(({ props }) => props.Roles.some((role) => refTarget(role) === notifierRole))
      .flatMap(({ props }) => props.PolicyDocument.Statement);

    // Assess
    expect(eventsStatement?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(roleStatements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['kms:GenerateDataKey*']),
        Resource: getAtt(keyId ?? 'missing-key', 'Arn'),
      }),
    );
  });

  it('alarms on the alerting path straight to the alerts topic, so none is silent', () => {
    // Prepare
    const topic = alertsTopicOf(dev, 'dev');
    const routed = new Set(
      resourcesOf<RuleProps>(dev.template, 'AWS::Events::Rule').flatMap(({ props }) =>
        props.EventPattern.detail.alarmName.map((entry) => refTarget(entry)),
      ),
    );

    // Act
    const direct = alarmsOf(dev).filter(({ id }) => !routed.has(id));

    // Assess
    expect(direct.map(({ props }) => props.AlarmName).sort()).toEqual(
      withPrefix(ALERTING_PATH_ALARMS),
    );
    for (const { props } of direct) {
      expect(props.AlarmActions, props.AlarmName).toEqual([ref(topic.id)]);
    }
  });

  it('runs the notifier on Node.js 24, ARM64, traced, publishing to the alerts topic', () => {
    // Prepare
    const topic = alertsTopicOf(dev, 'dev');

    // Act
    const notifier = notifierOf(dev);

    // Assess
    expect(notifier.props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: { ALERTS_TOPIC_ARN: ref(topic.id) } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
    });
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
    const subscriptions = resourcesOf<SubscriptionProps>(prodEu.template, 'AWS::SNS::Subscription');
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
    expect(sms[0]?.props.FilterPolicy).toEqual({ severity: ['critical'] });
  });
});
