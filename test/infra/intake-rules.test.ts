import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileEventPattern } from '../../sandbox/event-pattern.js';
import { assumingOwnership } from '../../sandbox/synthesized-intake.js';
import {
  resolveDeployed,
  type SynthesizedControlPlane,
  synthControlPlane,
  TEST_ACCOUNT,
} from './synth-control-plane.js';
import { resourcesOf } from './synth-shop.js';

/**
 * The intake rules' patterns, read from the synthesized template, against the real AWS sample
 * events in test/fixtures/events/ and against near misses.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/events');
const fixtureFiles = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.json'))
  .sort();
const fixture = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8'));

/** The rule each source's events go to. */
const RULE_BY_SOURCE: Readonly<Record<string, string>> = {
  'aws.cloudwatch': 'rebound-dev-alarm-state-changes',
  'aws.autoscaling': 'rebound-dev-auto-scaling-events',
  'aws.rds': 'rebound-dev-rds-instance-events',
  'aws.health': 'rebound-dev-health-events',
  'aws.states': 'rebound-dev-runbook-failures',
  'aws.ec2': 'rebound-dev-ec2-instance-events',
  'aws.arc-zonal-shift': 'rebound-dev-arc-autoshift-events',
};

/** Fixtures no rule may take, and why. */
const NOT_ROUTED: Readonly<Record<string, string>> = {
  'cloudwatch/alarm-configuration-change.json': 'a configuration change, not a state change',
  'autoscaling/launch-lifecycle-action.json': "the shop's group has no lifecycle hooks",
  'rds/backup-without-event-id.json': 'a backup: no event ID or category triage watches',
  'states/execution-succeeded.json': 'a runbook that succeeded reports its own outcome',
  'ec2/state-change-running.json': 'a running instance: every launch would invoke triage',
};
const expectedRule = (file: string, event: Record<string, unknown>): string | null => {
  // A replication group's notifications come by SNS (a Lambda SNS event), not through EventBridge.
  if (file.startsWith('elasticache/') || NOT_ROUTED[file] !== undefined) return null;
  return RULE_BY_SOURCE[String(event.source)] ?? 'no rule for this source';
};

interface Rule {
  readonly name: string;
  readonly pattern: Record<string, unknown>;
}
type Matcher = (event: unknown) => boolean;

/** The rules that match events (the heartbeat rule runs on a schedule and has no pattern). */
const rulesOf = (synthesized: SynthesizedControlPlane): Rule[] =>
  resourcesOf<{ Name: string; EventPattern?: Record<string, unknown> }>(
    synthesized.template,
    'AWS::Events::Rule',
  ).flatMap(({ props }) =>
    props.EventPattern === undefined ? [] : [{ name: props.Name, pattern: props.EventPattern }],
  );

const matchedBy = (matchers: readonly (readonly [string, Matcher])[], event: unknown) =>
  matchers.filter(([, matches]) => matches(event)).map(([name]) => name);

describe('intake rules against the AWS sample events', () => {
  let assumeOwned: [string, Matcher][];
  let archive: Matcher;
  beforeAll(() => {
    const synthesized = synthControlPlane();
    // As the replay's --assume-owned reads them: imported names and the shop's own literal
    // names (alarm-name prefix, cache group) match AWS's sample names.
    const compile = (pattern: unknown) =>
      compileEventPattern(assumingOwnership(pattern, 'rebound-dev'), {
        intrinsics: 'match-anything',
      });
    assumeOwned = rulesOf(synthesized).map(({ name, pattern }) => [name, compile(pattern)]);
    const [archivePattern] = resourcesOf<{ EventPattern: unknown }>(
      synthesized.template,
      'AWS::Events::Archive',
    ).map(({ props }) => props.EventPattern);
    archive = compile(archivePattern);
  });

  it('has fixtures for every rule', () => {
    // Act
    const sources = new Set(fixtureFiles.map((file) => fixture(file).source));

    // Assess
    expect(fixtureFiles.length).toBeGreaterThan(30);
    for (const source of Object.keys(RULE_BY_SOURCE)) expect(sources).toContain(source);
  });

  it.each(fixtureFiles)('routes %s to exactly the rule for its source, or none', (file) => {
    // Prepare
    const event = fixture(file);
    const expected = expectedRule(file, event);

    // Act
    const matched = matchedBy(assumeOwned, event);

    // Assess
    expect(matched).toEqual(expected === null ? [] : [expected]);
  });

  it('archives exactly the fixtures some rule routes', () => {
    // Act
    const mismatched = fixtureFiles.filter((file) => {
      const event = fixture(file);
      return archive(event) !== matchedBy(assumeOwned, event).length > 0;
    });

    // Assess
    expect(mismatched).toEqual([]);
  });
});

/** A copy of a fixture, typed as far as `change` edits it, with `change` applied. */
const variant = <T extends object>(file: string, change: (event: T) => void) => {
  const event = fixture(file);
  change(event as T);
  return event;
};
interface AlarmEvent {
  'detail-type': string;
  detail: {
    alarmName: string;
    configuration: { metrics: { metricStat: { metric: { dimensions: object } } }[] };
  };
}
const alarm = (alarmName: string, dimensions: Record<string, string>, detailType?: string) =>
  variant<AlarmEvent>('cloudwatch/alarm-asg-cpu.json', (event) => {
    const [metric] = event.detail.configuration.metrics;
    event.detail.alarmName = alarmName;
    if (metric !== undefined) metric.metricStat.metric.dimensions = dimensions;
    if (detailType !== undefined) event['detail-type'] = detailType;
  });
const autoScaling = (group: string) =>
  variant<{ detail: { AutoScalingGroupName: string } }>(
    'autoscaling/terminate-unsuccessful.json',
    (event) => {
      event.detail.AutoScalingGroupName = group;
    },
  );
const rds = (sourceIdentifier: string, file = 'rds/failover-started-0013.json') =>
  variant<{ detail: { SourceIdentifier: string } }>(file, (event) => {
    event.detail.SourceIdentifier = sourceIdentifier;
  });
const execution = (stateMachine: string, status: string) =>
  variant<{ detail: { stateMachineArn: string; status: string } }>(
    'states/execution-failed.json',
    (event) => {
      event.detail.stateMachineArn = `arn:aws:states:us-east-1:${TEST_ACCOUNT}:stateMachine:${stateMachine}`;
      event.detail.status = status;
    },
  );
const health = (service: string, category: string) =>
  variant<{ detail: { service: string; eventTypeCategory: string } }>(
    'health/rds-operational-issue.json',
    (event) => {
      event.detail.service = service;
      event.detail.eventTypeCategory = category;
    },
  );

const RUNBOOK = 'rebound-dev-replace-unhealthy-instance';

describe('intake rules as deployed: the shop names match, other names do not', () => {
  let deployed: [string, Matcher][];
  beforeAll(() => {
    const synthesized = synthControlPlane();
    // Imported names resolved to the dev literals (rebound-dev-web, rebound-dev-db…), so
    // nothing is left to the matcher's intrinsics option.
    deployed = rulesOf(synthesized).map(({ name, pattern }) => [
      name,
      compileEventPattern(resolveDeployed(pattern, synthesized)),
    ]);
  });

  it.each([
    ["one of the shop stack's alarms", alarm('rebound-dev-web-cpu-high', {})],
    ["another of the shop stack's alarms", alarm('rebound-dev-db-replica-2-lag', {})],
    ['an alarm on the shop group', alarm('team-cpu', { AutoScalingGroupName: 'rebound-dev-web' })],
    [
      'an alarm on a replica',
      alarm('team-db', { DBInstanceIdentifier: 'rebound-dev-db-replica-2' }),
    ],
    ['an alarm on a cache node', alarm('team', { CacheClusterId: 'rebound-dev-cache-0001-001' })],
    ['an alarm on the cache group', alarm('team', { ReplicationGroupId: 'rebound-dev-cache' })],
    [
      'an alarm on the ALB',
      alarm('team', { LoadBalancer: 'app/rebound-dev-alb/50dc6c495c0c9188' }),
    ],
    ['an event of the shop group', autoScaling('rebound-dev-web')],
    ['an event of the primary', rds('rds:rebound-dev-db')],
    ['an event of a replica without prefix', rds('rebound-dev-db-replica-1')],
    ['a failed runbook', execution(RUNBOOK, 'FAILED')],
    ['a runbook that timed out', execution(RUNBOOK, 'TIMED_OUT')],
    ['an ElastiCache issue', health('ELASTICACHE', 'issue')],
  ] as const)('takes %s', (_what, event) => {
    // Act
    const matched = matchedBy(deployed, event);

    // Assess
    expect(matched).toEqual([RULE_BY_SOURCE[String(event.source)]]);
  });

  it.each([
    [
      'an alarm configuration change, even in ALARM',
      alarm('rebound-dev-web-cpu-high', {}, 'CloudWatch Alarm Configuration Change'),
    ],
    ['another app alarm with no shop dimension', alarm('other-app-cpu', { InstanceId: 'i-0abc' })],
    // Exact names, not the `rebound-dev-` prefix: a prefix takes any alarm so named, stage
    // dev-alice's (when such a stage was allowed) or one made to look like the shop's.
    [
      'an alarm named with the shop prefix that the shop stack does not deploy',
      alarm('rebound-dev-web-cpu-high-2', { InstanceId: 'i-0abc1234' }),
    ],
    [
      "one of Rebound's own health alarms (they go to the ops topic, not to triage)",
      alarm('rebound-dev-triage-errors', {}),
    ],
    // An alarm made in the EC2 console on a shop instance: its name is the console's, its only
    // dimension the instance, which no rule can name in advance (README "Your own alarms").
    [
      "an EC2 console alarm on one of the shop's instances",
      alarm('awsec2-i-0a1b2c3d4e5f60718-GreaterThanOrEqualToThreshold-StatusCheckFailed', {
        InstanceId: 'i-0a1b2c3d4e5f60718',
      }),
    ],
    ['an alarm on another group', alarm('other-app-cpu', { AutoScalingGroupName: 'other-web' })],
    ['an alarm on another cache', alarm('team', { CacheClusterId: 'other-cache-0001-001' })],
    ['an alarm on another stage DB', alarm('team', { DBInstanceIdentifier: 'rebound-prod-db' })],
    ['an event of another group', autoScaling('other-web')],
    ['an event of another DB', rds('rds:other-db')],
    ['an event of a DB whose name extends the shop one', rds('rebound-dev-db-2')],
    ['a backup of the shop DB', rds('rebound-dev-db', 'rds/backup-without-event-id.json')],
    ['a runbook that succeeded', execution(RUNBOOK, 'SUCCEEDED')],
    ['a failed execution of another state machine', execution('other-machine', 'FAILED')],
    ['an issue of a service the shop does not use', health('S3', 'issue')],
    ['an account notification', health('EC2', 'accountNotification')],
  ] as const)('rejects %s', (_what, event) => {
    // Act
    const matched = matchedBy(deployed, event);

    // Assess
    expect(matched).toEqual([]);
  });
});

describe('intake rule descriptions', () => {
  it('say which alarms may act and which only inform, as deployed', () => {
    // Prepare
    const synthesized = synthControlPlane();

    // Act
    const descriptions = Object.fromEntries(
      resourcesOf<{ Name: string; Description: string }>(
        synthesized.template,
        'AWS::Events::Rule',
      ).map(({ props }) => [props.Name, props.Description]),
    );

    // Assess
    expect(descriptions['rebound-dev-alarm-state-changes']).toBe(
      "State changes of the shop stack's own alarms (they may act and page) and of other alarms whose metric names a shop resource (they only inform); an alarm on one instance alone is not taken",
    );
    // RuleDescription is at most 512 characters (botocore events/2014-02-03/service-2.json).
    for (const description of Object.values(descriptions)) {
      expect(description.length).toBeLessThanOrEqual(512);
    }
  });
});

describe('intake rule patterns: size', () => {
  it("stay within EventBridge's 4096 characters with the most replicas and the longest stage", () => {
    // Prepare: every shop alarm is listed by name, one more per read replica.
    const synthesized = synthControlPlane({ stage: 'a'.repeat(19), dbReadReplicas: 5 });

    // Act
    const sizes = rulesOf(synthesized).map(
      ({ pattern }) => JSON.stringify(resolveDeployed(pattern, synthesized)).length,
    );

    // Assess: EventPattern is at most 4096 characters (botocore events/2015-10-07 service-2.json,
    // shape EventPattern, max 4096).
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4096);
    expect(sizes.length).toBeGreaterThan(0);
  });
});
