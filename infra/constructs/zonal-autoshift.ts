import * as arczonalshift from 'aws-cdk-lib/aws-arczonalshift';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { practiceRunHealthAlarmName } from '../../functions/lib/core/practice-run-health.js';

export interface ZonalAutoshiftProps {
  readonly namePrefix: string;
  /** Already enabled for zonal shift (`zonal_shift.config.enabled`, load-balancer.ts). */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Already enabled for zonal shift (AvailabilityZoneImpairmentPolicy, web-tier.ts). */
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The shop's critical alarms: customers are hurt now. */
  readonly criticalAlarms: readonly cloudwatch.IAlarm[];
}

/**
 * ARC zonal autoshift for the shop's load balancer and web group (opt-in, config key
 * `zonalAutoshift`): AWS shifts their traffic away from an AZ its own telemetry finds impaired,
 * and, because a practice run configuration is required to enable autoshift, runs a 30-minute
 * practice shift of each every week.
 *
 * - Resources: ARC supports "Amazon EC2 Auto Scaling groups, Application Load Balancers (with
 *   cross-zone load balancing enabled or disabled), Network Load Balancers" for zonal shift and
 *   zonal autoshift (ARC Developer Guide, "Supported resources"; botocore arc-zonal-shift
 *   2022-10-30, CreatePracticeRunConfigurationRequest.resourceIdentifier). The ALB needs only
 *   `zonal_shift.config.enabled` (ELB User Guide, "Zonal shift for your Application Load
 *   Balancer"): its cross-zone setting stays as it is. The group is identified by its real ARN
 *   (`Fn::GetAtt AutoScalingGroupARN`), not CDK's `autoScalingGroupArn`, which has `*` for its id.
 * - Practice runs: "A practice run configuration is required when zonal autoshift is enabled";
 *   an outcome alarm is required, a blocking alarm optional (CloudFormation,
 *   AWS::ARCZonalShift::ZonalAutoshiftConfiguration PracticeRunConfiguration). CloudFormation's
 *   schema takes one alarm of each (cfn-lint's schema: OutcomeAlarms and BlockingAlarms
 *   `maxItems: 1`; the API takes up to 10), so one composite alarm over the critical alarms is
 *   both: a practice run does not start while customers are hurt, and ends (outcome FAILED)
 *   if they get hurt during it. "Control condition alarms do not apply for autoshifts"
 *   (ControlCondition): a real autoshift is never held back by them.
 */
export class ZonalAutoshift extends Construct {
  public readonly practiceRunHealth: cloudwatch.CompositeAlarm;
  public readonly configurations: readonly arczonalshift.CfnZonalAutoshiftConfiguration[];

  constructor(scope: Construct, id: string, props: ZonalAutoshiftProps) {
    super(scope, id);
    this.practiceRunHealth = new cloudwatch.CompositeAlarm(this, 'PracticeRunHealth', {
      compositeAlarmName: practiceRunHealthAlarmName(props.namePrefix),
      alarmDescription:
        "Any critical alarm of the shop: blocks ARC's weekly zonal-autoshift practice runs and marks one FAILED. Triage hears the member alarms themselves, not this one.",
      alarmRule: cloudwatch.AlarmRule.anyOf(...props.criticalAlarms),
    });
    const cfnGroup = props.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    const health = {
      type: 'CLOUDWATCH',
      alarmIdentifier: this.practiceRunHealth.alarmArn,
    } satisfies arczonalshift.CfnZonalAutoshiftConfiguration.ControlConditionProperty;
    const autoshift = (resourceId: string, resourceIdentifier: string) =>
      new arczonalshift.CfnZonalAutoshiftConfiguration(this, resourceId, {
        resourceIdentifier,
        zonalAutoshiftStatus: 'ENABLED',
        practiceRunConfiguration: { outcomeAlarms: [health], blockingAlarms: [health] },
      });
    this.configurations = [
      autoshift('LoadBalancer', props.loadBalancer.loadBalancerArn),
      autoshift('WebGroup', cfnGroup.attrAutoScalingGroupArn),
    ];
  }
}
