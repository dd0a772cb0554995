import { App, ContextProvider, Validations } from 'aws-cdk-lib';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadConfig, type ReboundConfig } from './config.js';
import { ControlPlaneStack } from './stacks/control-plane-stack.js';
import { GameDayStack } from './stacks/gameday-stack.js';
import { ShopStack } from './stacks/shop-stack.js';

export interface ReboundApp {
  readonly app: App;
  readonly config: ReboundConfig;
  readonly warnings: readonly string[];
  readonly shop: ShopStack;
  readonly controlPlane: ControlPlaneStack;
  /** Present with `gameDays=true`. */
  readonly gameDay?: GameDayStack;
}

export interface BuildOptions {
  /** Context on top of cdk.json's (what `-c key=value` gives); the CLI passes it by env. */
  readonly context?: Record<string, unknown>;
  readonly outdir?: string;
  /**
   * The account of your credentials, which the CDK CLI passes as `CDK_DEFAULT_ACCOUNT`: with it,
   * unset `availabilityZones` are looked up. @default process.env.CDK_DEFAULT_ACCOUNT
   */
  readonly cliAccount?: string;
}

/**
 * Builds the whole Rebound app from context: validates the config (throws ConfigError),
 * creates the stacks, and registers the cdk-nag AwsSolutions and Serverless packs, which
 * run when the app is synthesized.
 */
export function buildReboundApp(options: BuildOptions = {}): ReboundApp {
  const app = new App({ context: options.context, outdir: options.outdir });
  const contextKeys = Object.keys(app.node.getAllContext());
  const { config, warnings } = loadConfig((key) => app.node.tryGetContext(key), contextKeys, {
    cliAccount: options.cliAccount ?? process.env.CDK_DEFAULT_ACCOUNT,
  });

  const env = { account: config.lookupAccount, region: config.region };
  const shop = new ShopStack(app, `rebound-${config.stage}-shop`, {
    env,
    config,
    description: `Rebound ${config.stage}: high-availability e-commerce platform over three AZs`,
    terminationProtection: config.protectData,
  });

  if (config.availabilityZonesSource === 'lookup-pending') {
    // CDK's own AZ lookup: recorded as missing context, which the CDK CLI fetches with your
    // credentials, caches in cdk.context.json (config.ts availabilityZonesContextKey) and
    // synthesizes again with; this pass's placeholders are discarded.
    ContextProvider.getValue(shop, {
      provider: cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER,
      dummyValue: config.availabilityZones,
    });
  }

  const controlPlane = new ControlPlaneStack(app, `rebound-${config.stage}-control-plane`, {
    env,
    config,
    description: `Rebound ${config.stage}: self-healing control plane (triage, incidents, runbooks)`,
    terminationProtection: config.protectData,
    autoScalingGroup: shop.webTier.autoScalingGroup,
    loadBalancer: shop.loadBalancer.loadBalancer,
    targetGroup: shop.loadBalancer.targetGroup,
    databases: [shop.database.primary, ...shop.database.replicas],
    cacheReplicationGroupId: shop.cache.replicationGroupId,
    cacheNotifications: shop.cache.notificationTopic,
    shopAlarmNames: shop.alarms.alarmNames,
    alertsTopic: shop.alerts.topic,
    opsTopic: shop.ops.topic,
  });

  // Names only, no references: the shop stays updatable while game days exist (shop-targets.ts).
  const gameDay = config.gameDays
    ? new GameDayStack(app, `rebound-${config.stage}-gameday`, {
        env,
        config,
        description: `Rebound ${config.stage}: AWS FIS game-day experiments against the deployed shop`,
        shop: {
          shopStackName: shop.stackName,
          webGroupName: shop.webTier.groupName,
          databaseId: shop.database.primaryId,
          cacheGroupId: shop.cache.replicationGroupId,
          vpcName: shop.network.vpcName,
        },
        shopAlarms: shop.alarms.named,
      })
    : undefined;
  // Deploy order only (no export): its stop-condition alarms come with the shop.
  gameDay?.addStackDependency(shop, 'stop conditions name the shop alarms');

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, config, warnings, shop, controlPlane, gameDay };
}
