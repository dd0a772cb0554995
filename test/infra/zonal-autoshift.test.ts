import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  getAtt,
  onlyResource,
  ref,
  resourcesOf,
  type SynthesizedShop,
  synthShop,
} from './synth-shop.js';

/**
 * Config key `zonalAutoshift`: off, the shop has no autoshift; on, one
 * AWS::ARCZonalShift::ZonalAutoshiftConfiguration for the ALB and one for the web group, with
 * practice runs watched and blocked by one composite of the critical alarms (CloudFormation's
 * schema takes one outcome and one blocking alarm).
 */

interface ControlCondition {
  readonly Type: string;
  readonly AlarmIdentifier: unknown;
}
interface AutoshiftProps {
  readonly ResourceIdentifier: unknown;
  readonly ZonalAutoshiftStatus: string;
  readonly PracticeRunConfiguration: {
    readonly OutcomeAlarms: readonly ControlCondition[];
    readonly BlockingAlarms?: readonly ControlCondition[];
  };
}
interface CompositeAlarmProps {
  readonly AlarmName: string;
  readonly AlarmRule: unknown;
  readonly AlarmActions?: unknown;
}

const AUTOSHIFT = 'AWS::ARCZonalShift::ZonalAutoshiftConfiguration';

describe('zonal autoshift off (the default)', () => {
  let shop: SynthesizedShop;
  beforeAll(() => {
    shop = synthShop();
  });

  it('configures no autoshift and no practice-run alarm', () => {
    expect(resourcesOf(shop.template, AUTOSHIFT)).toEqual([]);
    expect(resourcesOf(shop.template, 'AWS::CloudWatch::CompositeAlarm')).toEqual([]);
  });
});

describe('zonal autoshift on', () => {
  let shop: SynthesizedShop;
  beforeAll(() => {
    shop = synthShop({ zonalAutoshift: 'on' });
  });

  it('enables autoshift for the shop load balancer and for the web group by its real ARN', () => {
    // Prepare
    const alb = onlyResource(shop.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').id;
    const group = onlyResource(shop.template, 'AWS::AutoScaling::AutoScalingGroup').id;

    // Act
    const configurations = resourcesOf<AutoshiftProps>(shop.template, AUTOSHIFT);

    // Assess
    expect(configurations.map(({ props }) => props.ResourceIdentifier)).toEqual(
      expect.arrayContaining([ref(alb), getAtt(group, 'AutoScalingGroupARN')]),
    );
    expect(configurations).toHaveLength(2);
    for (const { props } of configurations) expect(props.ZonalAutoshiftStatus).toBe('ENABLED');
  });

  it('keeps what a shift needs on both resources: the ALB attribute and the group policy', () => {
    const alb = onlyResource<{ LoadBalancerAttributes: { Key: string; Value: string }[] }>(
      shop.template,
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
    );
    expect(alb.props.LoadBalancerAttributes).toContainEqual({
      Key: 'zonal_shift.config.enabled',
      Value: 'true',
    });
    const group = onlyResource<{
      AvailabilityZoneImpairmentPolicy: { ZonalShiftEnabled: boolean };
    }>(shop.template, 'AWS::AutoScaling::AutoScalingGroup');
    expect(group.props.AvailabilityZoneImpairmentPolicy.ZonalShiftEnabled).toBe(true);
  });

  it('watches and blocks practice runs with one composite alarm of every critical alarm', () => {
    // Prepare
    const composite = onlyResource<CompositeAlarmProps>(
      shop.template,
      'AWS::CloudWatch::CompositeAlarm',
    );
    const { shop: stack } = shop;
    const critical = stack.alarms
      .bySeverity('critical')
      .map((alarm) => stack.getLogicalId(alarm.node.defaultChild as CfnElement));
    const health = { Type: 'CLOUDWATCH', AlarmIdentifier: getAtt(composite.id, 'Arn') };

    // Act
    const configurations = resourcesOf<AutoshiftProps>(shop.template, AUTOSHIFT);

    // Assess
    for (const { props } of configurations) {
      expect(props.PracticeRunConfiguration.OutcomeAlarms).toEqual([health]);
      expect(props.PracticeRunConfiguration.BlockingAlarms).toEqual([health]);
    }
    expect(composite.props.AlarmName).toBe('rebound-dev-practice-run-health');
    // ALARM("<arn>") OR ALARM("<arn>") …: any one of exactly the critical alarms.
    const [, parts] = (composite.props.AlarmRule as { 'Fn::Join': [string, unknown[]] })[
      'Fn::Join'
    ];
    const members = parts.filter((part) => typeof part !== 'string');
    expect(critical.length).toBeGreaterThanOrEqual(3);
    expect(members).toEqual(critical.map((id) => getAtt(id, 'Arn')));
    expect(parts.filter((part) => typeof part === 'string').slice(1, -1)).toEqual(
      Array(critical.length - 1).fill('") OR ALARM("'),
    );
    // It pages nobody itself: triage hears its members.
    expect(composite.props.AlarmActions).toBeUndefined();
  });
});
