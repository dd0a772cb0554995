import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { BootParameters } from '../../shop/aws/boot-settings.js';
import { WEB_TIER_NAMESPACE } from '../../shop/metrics-namespace.js';
import type { WebTierConfig } from '../config.js';
import { acknowledgeFinding, nagResourceName } from '../nag.js';
import { ShopBundle } from './shop-bundle.js';
import { shopUserData } from './shop-user-data.js';

export interface WebTierProps {
  readonly namePrefix: string;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly appPort: number;
  readonly sizing: WebTierConfig;
  /** Where the shop reads its settings at each start; grant them with `grantSettingsRead`. */
  readonly bootParameters: BootParameters;
}

/**
 * The launch lifecycle hook that holds a new instance in `Pending:Wait` until its app answers
 * /health: the group registers an instance with its target group only after the hook completes,
 * "before the instance reaches the InService state" (EC2 Auto Scaling User Guide, "How lifecycle
 * hooks work"; "A popular use of lifecycle hooks is to control when instances are registered
 * with Elastic Load Balancing", "Amazon EC2 Auto Scaling lifecycle hooks"), so a launching
 * instance never counts as an unhealthy host.
 */
export const APP_READY_HOOK_NAME = 'app-ready';
/**
 * How long an instance may wait on the hook (boot, packages, the bundle, then up to 120 s for
 * /health) before Auto Scaling takes the default result. CloudFormation allows 30–7200 s;
 * AWS's default of one hour would leave a broken instance pending that long.
 */
export const APP_READY_HOOK_TIMEOUT_SECONDS = 300;

/**
 * The web tier: an Auto Scaling group over the private subnets of the three AZs, launched
 * from a hardened template (AL2023, IMDSv2 only, encrypted EBS, SSM instead of SSH), with
 * ELB health checks, CPU and memory target tracking, capacity rebalance, rolling updates
 * gated on the app answering, and the AZ impairment policy for ARC zonal shifts.
 */
export class WebTier extends Construct {
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** `rebound-<stage>-web`, as a plain string (the group's own name attribute is a token). */
  public readonly groupName: string;
  /** The instances' role: grant it what the shop reads at boot. */
  public readonly role: iam.Role;
  /** The shop's bundle the instances fetch at boot. */
  public readonly shopBundle: ShopBundle;
  public readonly cpuUtilization: cloudwatch.Metric;
  public readonly memoryUtilization: cloudwatch.Metric;
  public readonly inServiceInstances: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: WebTierProps) {
    super(scope, id);
    const { sizing } = props;
    const instanceType = new ec2.InstanceType(sizing.instanceType);
    const cpuType =
      instanceType.architecture === ec2.InstanceArchitecture.ARM_64
        ? ec2.AmazonLinuxCpuType.ARM_64
        : ec2.AmazonLinuxCpuType.X86_64;

    const role = new iam.Role(this, 'InstanceRole', {
      roleName: `${props.namePrefix}-web-instance`,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description:
        'Rebound web tier instances: Session Manager, the CloudWatch agent, and the shop (its bundle, settings and secrets)',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'),
      ],
    });

    acknowledgeFinding(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'The AWS-maintained policy for the SSM agent (Session Manager replaces SSH); AWS keeps it in step with the agent, a copy would drift.',
    );
    acknowledgeFinding(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchAgentServerPolicy]',
      'The AWS-maintained policy for the CloudWatch agent that publishes memory and disk metrics; it allows only metric/log writes and tag reads.',
    );

    this.role = role;
    this.shopBundle = new ShopBundle(this, 'Shop');
    this.shopBundle.grantFetch(role);

    this.groupName = `${props.namePrefix}-web`;
    const userData = shopUserData({
      autoScalingGroupName: this.groupName,
      appPort: props.appPort,
      agentNamespace: WEB_TIER_NAMESPACE,
      bundle: this.shopBundle.asset,
      bootParameters: props.bootParameters,
      region: Stack.of(this).region,
    });

    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      launchTemplateName: `${props.namePrefix}-web`,
      instanceType,
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType }),
      userData,
      role,
      securityGroup: props.securityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: true,
      associatePublicIpAddress: false,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(20, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    const gracePeriod = Duration.seconds(sizing.healthCheckGraceSeconds);
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      autoScalingGroupName: this.groupName,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: sizing.minCapacity,
      maxCapacity: sizing.maxCapacity,
      // A DesiredCapacity in the template resets the group's size on every deploy (scaling in
      // a busy shop), so it is only written when it was configured above the minimum.
      desiredCapacity:
        sizing.desiredCapacity > sizing.minCapacity ? sizing.desiredCapacity : undefined,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod,
      }),
      defaultInstanceWarmup: Duration.seconds(120),
      capacityRebalance: true,
      // Instance maintenance policy, launch before terminate: a replaced instance (health
      // check, replace-unhealthy-instance, a rebalance) leaves only once its replacement is in
      // service, so capacity never dips below desired (MinHealthyPercentage 100); up to half
      // the group may be extra meanwhile (MaxHealthyPercentage 150; CloudFormation allows
      // 100–200). See AWS::AutoScaling::AutoScalingGroup InstanceMaintenancePolicy.
      minHealthyPercentage: 100,
      maxHealthyPercentage: 150,
      groupMetrics: [autoscaling.GroupMetrics.all()],
      signals: autoscaling.Signals.waitForMinCapacity({ timeout: Duration.minutes(15) }),
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: 1,
        minInstancesInService: sizing.minCapacity,
        waitOnResourceSignals: true,
        pauseTime: Duration.minutes(10),
        suspendProcesses: [
          autoscaling.ScalingProcess.HEALTH_CHECK,
          autoscaling.ScalingProcess.REPLACE_UNHEALTHY,
          autoscaling.ScalingProcess.AZ_REBALANCE,
          autoscaling.ScalingProcess.ALARM_NOTIFICATION,
          autoscaling.ScalingProcess.SCHEDULED_ACTIONS,
        ],
      }),
    });

    acknowledgeFinding(
      this.autoScalingGroup,
      'AwsSolutions-AS3',
      'Auto Scaling sends every launch/terminate/refresh event to EventBridge, where Rebound reads them; an SNS notification per scaling event would page people for routine scaling. Lost capacity is alarmed (web-in-service-below-min).',
    );

    const cfnGroup = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    // During an ARC zonal shift the group stops launching into the shifted AZ. Unhealthy
    // instances there are left alone rather than churned: the AZ is expected to come back.
    cfnGroup.availabilityZoneImpairmentPolicy = {
      zonalShiftEnabled: true,
      impairedZoneHealthCheckBehavior: 'IgnoreUnhealthy',
    };

    // In the group itself (not a separate AWS::AutoScaling::LifecycleHook) so it holds the
    // instances the group launches when it is created too ("One or more lifecycle hooks to add
    // to the Auto Scaling group before instances are launched", AWS::AutoScaling::AutoScalingGroup
    // LifecycleHookSpecificationList). ABANDON when nobody completes it: the group terminates the
    // instance and launches another, instead of registering one whose app never started.
    cfnGroup.lifecycleHookSpecificationList = [
      {
        lifecycleHookName: APP_READY_HOOK_NAME,
        lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        heartbeatTimeout: APP_READY_HOOK_TIMEOUT_SECONDS,
        defaultResult: 'ABANDON',
      },
    ];
    // The instance completes its own hook: CompleteLifecycleAction on this group only (its ARN's
    // id part is only known once deployed, Service Authorization Reference, EC2 Auto Scaling:
    // autoScalingGroup `arn:…:autoScalingGroup:<uuid>:autoScalingGroupName/<name>`).
    const stack = Stack.of(this);
    const ownGroupArn = stack.formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: `*:autoScalingGroupName/${this.groupName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['autoscaling:CompleteLifecycleAction'],
        resources: [ownGroupArn],
      }),
    );
    acknowledgeFinding(
      role,
      `AwsSolutions-IAM5[Resource::${nagResourceName(stack, ownGroupArn)}]`,
      "The wildcard is the web group's id, which AWS assigns at creation; the name pins the one group whose launch hook the instances complete.",
    );

    // Once the app answers locally: complete the launch hook (CONTINUE, or ABANDON when it never
    // answered, so the group replaces the instance now rather than after the timeout), then
    // report to CloudFormation, so a broken launch template fails the deploy (and a rolling
    // update stops) instead of leaving dead instances behind. IMDSv2 only: a token first.
    userData.addCommands(
      'dnf install -y aws-cfn-bootstrap',
      `status=1; for i in $(seq 1 60); do if curl -fsS http://127.0.0.1:${props.appPort}/health; then status=0; break; fi; sleep 2; done`,
      `imds_token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') || true`,
      'instance_id=$(curl -fsS -H "X-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/instance-id) || true',
      'if [ "$status" = 0 ]; then hook_result=CONTINUE; else hook_result=ABANDON; fi',
      `aws autoscaling complete-lifecycle-action --lifecycle-hook-name ${APP_READY_HOOK_NAME} --auto-scaling-group-name ${this.groupName} --instance-id "$instance_id" --lifecycle-action-result "$hook_result" --region ${stack.region} || true`,
      `/opt/aws/bin/cfn-signal -e "$status" --stack ${stack.stackName} --resource ${stack.getLogicalId(cfnGroup)} --region ${stack.region} || true`,
    );

    this.autoScalingGroup.scaleOnCpuUtilization('CpuTarget', {
      targetUtilizationPercent: sizing.cpuTargetPercent,
    });

    const dimensionsMap = { AutoScalingGroupName: this.autoScalingGroup.autoScalingGroupName };
    this.memoryUtilization = new cloudwatch.Metric({
      namespace: WEB_TIER_NAMESPACE,
      metricName: 'mem_used_percent',
      dimensionsMap,
      statistic: 'Average',
      period: Duration.minutes(1),
    });
    this.autoScalingGroup.scaleToTrackMetric('MemoryTarget', {
      metric: this.memoryUtilization,
      targetValue: sizing.memoryTargetPercent,
    });

    this.cpuUtilization = new cloudwatch.Metric({
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensionsMap,
      statistic: 'Average',
      period: Duration.minutes(1),
    });
    this.inServiceInstances = new cloudwatch.Metric({
      namespace: 'AWS/AutoScaling',
      metricName: 'GroupInServiceInstances',
      dimensionsMap,
      statistic: 'Minimum',
      period: Duration.minutes(1),
    });
  }

  /**
   * Lets the instances read what the shop's boot reads (shop/aws/boot-settings.ts):
   * `ssm:GetParameters` on exactly these parameters (the one call it makes), and each secret's
   * own grant: `secretsmanager:GetSecretValue` (+ `DescribeSecret`, metadata only) on that
   * secret, and `kms:Decrypt` through Secrets Manager should the secret get a customer key.
   */
  public grantSettingsRead(
    parameters: readonly ssm.IParameter[],
    secrets: readonly secretsmanager.ISecret[],
  ): void {
    iam.Grant.addToPrincipal({
      grantee: this.role,
      actions: ['ssm:GetParameters'],
      resourceArns: parameters.map((parameter) => parameter.parameterArn),
    });
    for (const secret of secrets) secret.grantRead(this.role);
  }
}
