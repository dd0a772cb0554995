import { beforeAll, describe, expect, it } from 'vitest';
import {
  APP_READY_HOOK_NAME,
  APP_READY_HOOK_TIMEOUT_SECONDS,
} from '../../infra/constructs/web-tier.js';
import { literalText, onlyResource, type SynthesizedShop, synthShop } from './synth-shop.js';

/**
 * The web group's launch lifecycle hook: a new instance stays in Pending:Wait, unregistered from
 * the target group, until its own user data has seen the app answer /health and completed the
 * hook ("before the instance reaches the InService state, if the Auto Scaling group is
 * associated with an Elastic Load Balancing load balancer, the instance is registered with the
 * load balancer", EC2 Auto Scaling User Guide, "How lifecycle hooks work in Auto Scaling
 * groups"). Without it, every scale-out counted as unhealthy hosts while the app started.
 */

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}
interface HookSpecification {
  readonly LifecycleHookName: string;
  readonly LifecycleTransition: string;
  readonly HeartbeatTimeout: number;
  readonly DefaultResult: string;
}

describe('the web group launch hook (app ready before registration)', () => {
  let dev: SynthesizedShop;
  let script: string;
  beforeAll(() => {
    dev = synthShop();
    script = literalText(
      onlyResource<{ LaunchTemplateData: { UserData: unknown } }>(
        dev.template,
        'AWS::EC2::LaunchTemplate',
      ).props.LaunchTemplateData.UserData,
    );
  });

  it('holds every launch, the group creation ones included, for at most 5 minutes, then abandons it', () => {
    // Act
    const group = onlyResource<{
      LifecycleHookSpecificationList?: HookSpecification[];
      HealthCheckGracePeriod: number;
      DefaultInstanceWarmup: number;
    }>(dev.template, 'AWS::AutoScaling::AutoScalingGroup');

    // Assess: in the group itself, not a separate AWS::AutoScaling::LifecycleHook, so the
    // instances the group launches when it is created wait too. CloudFormation allows a
    // HeartbeatTimeout of 30–7200 s; AWS's default (3600) would keep a broken launch an hour.
    expect(group.props.LifecycleHookSpecificationList).toEqual([
      {
        LifecycleHookName: APP_READY_HOOK_NAME,
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        HeartbeatTimeout: APP_READY_HOOK_TIMEOUT_SECONDS,
        DefaultResult: 'ABANDON',
      },
    ]);
    expect(APP_READY_HOOK_TIMEOUT_SECONDS).toBeGreaterThanOrEqual(30);
    expect(APP_READY_HOOK_TIMEOUT_SECONDS).toBeLessThanOrEqual(600);
    expect(dev.template.findResources('AWS::AutoScaling::LifecycleHook')).toEqual({});
  });

  it('completes the hook from the user data only after the app answered /health locally, with ABANDON when it never did, before cfn-signal', () => {
    // Act
    const lines = script.split('\n');
    const waitsForHealth = lines.findIndex((line) =>
      line.includes('curl -fsS http://127.0.0.1:8080/health'),
    );
    const completes = lines.findIndex((line) =>
      line.startsWith('aws autoscaling complete-lifecycle-action '),
    );
    const signals = lines.findIndex((line) => line.startsWith('/opt/aws/bin/cfn-signal '));

    // Assess
    expect(waitsForHealth).toBeGreaterThan(-1);
    expect(completes).toBeGreaterThan(waitsForHealth);
    expect(signals).toBeGreaterThan(completes);
    expect(lines[completes]).toBe(
      `aws autoscaling complete-lifecycle-action --lifecycle-hook-name ${APP_READY_HOOK_NAME} --auto-scaling-group-name rebound-dev-web --instance-id "$instance_id" --lifecycle-action-result "$hook_result" --region us-east-1 || true`,
    );
    expect(lines).toContain(
      'if [ "$status" = 0 ]; then hook_result=CONTINUE; else hook_result=ABANDON; fi',
    );
  });

  it('lets the instances complete lifecycle actions of their own group only', () => {
    // Prepare
    const role = onlyResource(dev.template, 'AWS::IAM::Role', {
      RoleName: 'rebound-dev-web-instance',
    });
    const statements = onlyResource<{ PolicyDocument: { Statement: Statement[] } }>(
      dev.template,
      'AWS::IAM::Policy',
      { Roles: [{ Ref: role.id }] },
    ).props.PolicyDocument.Statement;

    // Act
    const autoScaling = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('autoscaling:')),
    );

    // Assess: the group's id is only known once deployed, its name pins it (Service
    // Authorization Reference, EC2 Auto Scaling, resource type autoScalingGroup).
    expect(autoScaling).toEqual([
      {
        Effect: 'Allow',
        Action: 'autoscaling:CompleteLifecycleAction',
        Resource: expect.anything(),
      },
    ]);
    // (literalText drops the partition and account references.)
    expect(literalText(autoScaling[0]?.Resource)).toBe(
      'arn::autoscaling:us-east-1::autoScalingGroup:*:autoScalingGroupName/rebound-dev-web',
    );
  });
});
