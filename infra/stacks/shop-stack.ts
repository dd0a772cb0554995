import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { guardrailsUnreadableAlarmName } from '../../functions/lib/aws/guardrail-read-failures.js';
import { type BootParameters, parameterNames } from '../../shop/aws/boot-settings.js';
import type { ReboundConfig } from '../config.js';
import { AccessLogsBucket } from '../constructs/access-logs-bucket.js';
import { AlertsTopic } from '../constructs/alerts-topic.js';
import { Cache } from '../constructs/cache.js';
import { ShopDashboard } from '../constructs/dashboard.js';
import { DATABASE_NAME, DATABASE_PORT, Database } from '../constructs/database.js';
import { Edge } from '../constructs/edge.js';
import { LoadBalancer, ORIGIN_VERIFY_HEADER } from '../constructs/load-balancer.js';
import { Network } from '../constructs/network.js';
import { OpsTopic } from '../constructs/ops-topic.js';
import { type AlbExposure, ShopSecurityGroups } from '../constructs/security-groups.js';
import { ShopAlarms } from '../constructs/shop-alarms.js';
import { ShopStaticAssets } from '../constructs/shop-static-assets.js';
import { TlsCertificates } from '../constructs/tls-certificates.js';
import { WebTier } from '../constructs/web-tier.js';
import { ZonalAutoshift } from '../constructs/zonal-autoshift.js';
import { runAlarmNamePatterns } from '../control-plane/health-alarms.js';

export interface ShopStackProps extends StackProps {
  readonly config: ReboundConfig;
}

/** Port the shop listens on behind the ALB. */
export const APP_PORT = 8080;

/**
 * The high-availability shop: network, web tier, load balancer, database, cache, edge,
 * alarms, alerts and a dashboard, each a construct of its own, over three AZs.
 */
export class ShopStack extends Stack {
  public readonly network: Network;
  public readonly webTier: WebTier;
  public readonly loadBalancer: LoadBalancer;
  public readonly database: Database;
  public readonly cache: Cache;
  public readonly edge: Edge;
  public readonly alerts: AlertsTopic;
  /** Rebound's own health (control-plane and alerting-path alarms): pages unfiltered. */
  public readonly ops: OpsTopic;
  public readonly alarms: ShopAlarms;
  /** Present with `zonalAutoshift=on`. */
  public readonly zonalAutoshift?: ZonalAutoshift;

  constructor(scope: Construct, id: string, props: ShopStackProps) {
    super(scope, id, props);
    const { config } = props;
    const namePrefix = `rebound-${config.stage}`;
    const azs = config.availabilityZones;

    this.network = new Network(this, 'Network', {
      namePrefix,
      availabilityZones: azs,
      natGateways: config.natGateways,
    });
    const { vpc } = this.network;

    const certificates = config.domain
      ? new TlsCertificates(this, 'Tls', config.domain)
      : undefined;
    const securityGroups = new ShopSecurityGroups(this, 'SecurityGroups', {
      namePrefix,
      vpc,
      albExposure: certificates ? { kind: 'internet' } : cloudFrontOnly(config),
      appPort: APP_PORT,
      databasePort: DATABASE_PORT,
      cachePort: config.cache.port,
    });

    const accessLogs = new AccessLogsBucket(this, 'AccessLogs', {
      protectData: config.protectData,
    });

    const parameterName = (name: string) => endpointParameterName(config.stage, name);
    const bootParameters: BootParameters = {
      databasePrimaryEndpoint: parameterName('db/primary-endpoint'),
      databaseReplicaEndpoints: Array.from({ length: config.database.readReplicas }, (_, index) =>
        parameterName(`db/replica-${index + 1}-endpoint`),
      ),
      databaseCredentialsSecret: parameterName('db/credentials-secret'),
      databasePort: DATABASE_PORT,
      databaseName: DATABASE_NAME,
      cachePrimaryEndpoint: parameterName('cache/primary-endpoint'),
      cachePort: parameterName('cache/port'),
      cacheAuthTokenSecret: parameterName('cache/auth-token-secret'),
    };
    this.webTier = new WebTier(this, 'WebTier', {
      namePrefix,
      vpc,
      securityGroup: securityGroups.app,
      appPort: APP_PORT,
      sizing: config.web,
      bootParameters,
    });

    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
      namePrefix,
      vpc,
      securityGroup: securityGroups.alb,
      autoScalingGroup: this.webTier.autoScalingGroup,
      appPort: APP_PORT,
      accessLogs: accessLogs.bucket,
      protectData: config.protectData,
      certificate: certificates?.loadBalancer,
    });

    this.database = new Database(this, 'Database', {
      namePrefix,
      vpc,
      securityGroup: securityGroups.database,
      availabilityZones: azs,
      sizing: config.database,
      protectData: config.protectData,
    });

    this.cache = new Cache(this, 'Cache', {
      namePrefix,
      vpc,
      securityGroup: securityGroups.cache,
      availabilityZones: azs,
      sizing: config.cache,
      protectData: config.protectData,
    });

    const originDomain = config.domain ? `origin.${config.domain.domainName}` : undefined;
    const { originVerifySecret } = this.loadBalancer;
    this.edge = new Edge(this, 'Edge', {
      namePrefix,
      accessLogs: accessLogs.bucket,
      protectData: config.protectData,
      webAclArn: config.webAclArn,
      albOrigin: {
        domainName: originDomain ?? this.loadBalancer.loadBalancer.loadBalancerDnsName,
        protocol: this.loadBalancer.originProtocol,
        // A CloudFormation dynamic reference, resolved at deploy time: no secret in the template.
        verifyHeader: originVerifySecret
          ? { name: ORIGIN_VERIFY_HEADER, value: originVerifySecret.secretValue.unsafeUnwrap() }
          : undefined,
      },
      viewerCertificate:
        config.domain && certificates?.cloudFront
          ? { certificate: certificates.cloudFront, domainNames: [config.domain.domainName] }
          : undefined,
    });

    // Before any instance of a rolling update serves pages that link them.
    const staticAssets = new ShopStaticAssets(this, 'StaticAssets', {
      bucket: this.edge.assetsBucket,
    });
    this.webTier.autoScalingGroup.node.addDependency(staticAssets.deployment);

    if (config.domain && certificates?.hostedZone && originDomain) {
      new route53.ARecord(this, 'OriginRecord', {
        zone: certificates.hostedZone,
        recordName: `${originDomain}.`,
        target: route53.RecordTarget.fromAlias(
          new route53Targets.LoadBalancerTarget(this.loadBalancer.loadBalancer),
        ),
      });
      if (certificates.cloudFront) {
        new route53.ARecord(this, 'ShopRecord', {
          zone: certificates.hostedZone,
          recordName: `${config.domain.domainName}.`,
          target: route53.RecordTarget.fromAlias(
            new route53Targets.CloudFrontTarget(this.edge.distribution),
          ),
        });
      }
    }

    this.ops = new OpsTopic(this, 'Ops', { namePrefix });
    this.alerts = new AlertsTopic(this, 'Alerts', {
      namePrefix,
      emails: config.alertEmails,
      smsNumbers: config.alertSmsNumbers,
      // The guardrail-read alarm and the runbooks' run alarms (control-plane stack) email every
      // alert subscriber.
      publishingAlarmNames: [
        guardrailsUnreadableAlarmName(config.stage),
        ...runAlarmNamePatterns(namePrefix),
      ],
      opsTopic: this.ops.topic,
    });
    this.ops.addRecipients({
      emails: config.alertEmails,
      smsNumbers: config.alertSmsNumbers,
      deadLetterQueue: this.alerts.deadLetterQueue,
    });

    this.alarms = new ShopAlarms(this, 'Alarms', {
      namePrefix,
      loadBalancer: this.loadBalancer.loadBalancer,
      targetGroup: this.loadBalancer.targetGroup,
      webTier: this.webTier,
      minCapacity: config.web.minCapacity,
      database: this.database.primary,
      replicas: this.database.replicas,
      allocatedStorageGiB: config.database.allocatedStorageGiB,
      cache: this.cache,
      edge: this.edge,
    });

    if (config.zonalAutoshift) {
      this.zonalAutoshift = new ZonalAutoshift(this, 'ZonalAutoshift', {
        namePrefix,
        loadBalancer: this.loadBalancer.loadBalancer,
        autoScalingGroup: this.webTier.autoScalingGroup,
        criticalAlarms: this.alarms.bySeverity('critical'),
      });
    }

    new ShopDashboard(this, 'Dashboard', {
      namePrefix,
      alarms: this.alarms.alarms,
      loadBalancer: this.loadBalancer.loadBalancer,
      targetGroup: this.loadBalancer.targetGroup,
      webTier: this.webTier,
      database: this.database.primary,
      replicas: this.database.replicas,
      cache: this.cache,
      edge: this.edge,
    });

    const parameters = this.publishEndpoints(namePrefix, config.stage);
    this.webTier.grantSettingsRead(
      parameterNames(bootParameters).map((name) => {
        const parameter = parameters.get(name);
        if (parameter === undefined) throw new Error(`${name} is read at boot but not published`);
        return parameter;
      }),
      [this.database.credentials, this.cache.authToken],
    );
  }

  /** Endpoints the app reads at boot (SSM) and people read after a deploy (outputs). */
  /** Returns the parameters by name. */
  private publishEndpoints(namePrefix: string, stage: string): Map<string, ssm.StringParameter> {
    const endpoints: Record<string, string> = {
      'db/primary-endpoint': this.database.primary.dbInstanceEndpointAddress,
      'db/credentials-secret': this.database.credentials.secretArn,
      'cache/primary-endpoint': this.cache.replicationGroup.attrPrimaryEndPointAddress,
      'cache/reader-endpoint': this.cache.replicationGroup.attrReaderEndPointAddress,
      'cache/port': String(this.cache.replicationGroup.port),
      'cache/auth-token-secret': this.cache.authToken.secretArn,
      'assets/bucket': this.edge.assetsBucket.bucketName,
    };
    this.database.replicas.forEach((replica, index) => {
      endpoints[`db/replica-${index + 1}-endpoint`] = replica.dbInstanceEndpointAddress;
    });
    const parameters = new Map<string, ssm.StringParameter>();
    for (const [name, value] of Object.entries(endpoints)) {
      const parameterName = endpointParameterName(stage, name);
      parameters.set(
        parameterName,
        new ssm.StringParameter(this, `Param-${name}`, {
          parameterName,
          stringValue: value,
          description: `Rebound ${name.replace('/', ' ')} (${namePrefix})`,
        }),
      );
    }
    new CfnOutput(this, 'ShopUrl', {
      value: `https://${this.edge.distribution.distributionDomainName}`,
      description: 'The shop, through CloudFront',
    });
    new CfnOutput(this, 'LoadBalancerDns', {
      value: this.loadBalancer.loadBalancer.loadBalancerDnsName,
    });
    new CfnOutput(this, 'DatabasePrimaryEndpoint', {
      value: this.database.primary.dbInstanceEndpointAddress,
    });
    this.database.replicas.forEach((replica, index) => {
      new CfnOutput(this, `DatabaseReplica${index + 1}Endpoint`, {
        value: replica.dbInstanceEndpointAddress,
      });
    });
    new CfnOutput(this, 'CachePrimaryEndpoint', {
      value: this.cache.replicationGroup.attrPrimaryEndPointAddress,
    });
    new CfnOutput(this, 'CacheReaderEndpoint', {
      value: this.cache.replicationGroup.attrReaderEndPointAddress,
    });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'OpsTopicArn', { value: this.ops.topic.topicArn });
    return parameters;
  }
}

/** `/rebound/<stage>/<name>`: the SSM parameter of a published endpoint. */
const endpointParameterName = (stage: string, name: string) => `/rebound/${stage}/${name}`;

function cloudFrontOnly(config: ReboundConfig): AlbExposure {
  if (config.cloudFrontPrefixListId === undefined) {
    throw new Error(
      'cloudFrontPrefixListId must be resolved by loadConfig when there is no domain',
    );
  }
  return { kind: 'cloudfront-only', prefixListId: config.cloudFrontPrefixListId };
}
