import type { ShopInventory } from '../functions/lib/core/inventory.js';
import { RUNBOOKS, runbookStateMachineName } from '../functions/lib/core/runbook-registry.js';
import type { ReboundConfig } from '../infra/config.js';
import { appContext } from '../infra/context-args.js';
import { buildReboundApp } from '../infra/rebound-app.js';
import { resourcesOf, type SynthesizedTemplate } from '../infra/synthesized-template.js';
import { resolveDeployedNames, toWildcardPattern, UNKNOWN } from './deployed-names.js';
import {
  compileEventPatternExplainer,
  type MatchOptions,
  type PatternMiss,
} from './event-pattern.js';

/**
 * The control plane's intake as deployed: synthesizes the app from cdk.json and the command
 * line's `-c key=value` offline (no bundling) and reads every EventBridge rule's pattern back
 * from the control-plane template, so the replay matches events against the very patterns that
 * deploy. The names a pattern imports from the shop resolve to the stage's physical names
 * (`rebound-prod-db`), so `-c stage=prod` replays prod's events as prod's rules see them.
 */

export interface IntakeRule {
  readonly name: string;
  /** The rule's description, as deployed. */
  readonly description: string;
  readonly matches: (event: unknown) => boolean;
  /** Why an event misses the rule: every failing field (none when it matches). */
  readonly explain: (event: unknown) => readonly PatternMiss[];
}

export interface SynthesizedIntake {
  readonly config: ReboundConfig;
  readonly rules: readonly IntakeRule[];
  /** Name of the intake for ElastiCache notifications (an SNS subscription, not a rule). */
  readonly cacheNotificationIntake: string;
  readonly inventory: ShopInventory;
  /** Exact names of the alarms the shop stack deploys: the only alarms that may act. */
  readonly shopAlarmNames: ReadonlySet<string>;
  /** The synthesized templates themselves (the game day reads the shop's settings from them). */
  readonly templates: {
    readonly shop: SynthesizedTemplate;
    readonly controlPlane: SynthesizedTemplate;
  };
}

export const synthesizeIntake = (options: {
  readonly assumeOwned: boolean;
  /** `-c key=value` of the command line, over cdk.json's context. */
  readonly context?: Readonly<Record<string, string>>;
  /** The account's AZ ID → AZ name map, when the caller knows it (`--az-ids`). */
  readonly azIdToName?: Readonly<Record<string, string>>;
}): SynthesizedIntake => {
  const { app, controlPlane, shop, config } = buildReboundApp({
    context: { ...appContext(options.context ?? {}), 'aws:cdk:bundling-stacks': [] },
  });
  const assembly = app.synth();
  const template = assembly.getStackByName(controlPlane.stackName).template as SynthesizedTemplate;
  const shopTemplate = assembly.getStackByName(shop.stackName).template as SynthesizedTemplate;
  const namePrefix = `rebound-${config.stage}`;
  const matchOptions: MatchOptions = {
    intrinsics: options.assumeOwned ? 'match-anything' : 'match-nothing',
  };
  // As deployed: imported names resolved; the account and the ALB's id are wildcards.
  const deployed = (pattern: unknown) =>
    toWildcardPattern(
      resolveDeployedNames(
        pattern,
        { controlPlane: template, shop: shopTemplate },
        { region: config.region, account: UNKNOWN, partition: UNKNOWN, fullNameId: UNKNOWN },
        'keep',
      ),
    );
  // The rules that match events; the heartbeat rule runs on a schedule and has no pattern.
  const patternRules = resourcesOf(template, 'AWS::Events::Rule').filter(
    ([, resource]) => resource.Properties?.EventPattern !== undefined,
  );
  const rules = patternRules.map(([logicalId, resource]) => {
    const {
      Name: name,
      Description: description,
      EventPattern: pattern,
    } = resource.Properties ?? {};
    const explain = compileEventPatternExplainer(
      options.assumeOwned ? assumingOwnership(pattern, namePrefix) : deployed(pattern),
      matchOptions,
    );
    return {
      name: typeof name === 'string' ? name : logicalId,
      description: typeof description === 'string' ? description : '',
      matches: (event: unknown) => explain(event).length === 0,
      explain,
    };
  });
  const shopAlarmNames = new Set(shop.alarms.alarmNames);
  return {
    config,
    templates: { shop: shopTemplate, controlPlane: template },
    shopAlarmNames,
    rules,
    cacheNotificationIntake: `${namePrefix}-cache-events (SNS subscription)`,
    inventory: {
      region: config.region,
      namePrefix,
      shopAlarmNames: [...shopAlarmNames],
      autoScalingGroupName: `${namePrefix}-web`,
      primaryDbInstanceId: `${namePrefix}-db`,
      replicaDbInstanceIds: Array.from(
        { length: config.database.readReplicas },
        (_, index) => `${namePrefix}-db-replica-${index + 1}`,
      ),
      cacheReplicationGroupId: `${namePrefix}-cache`,
      runbookStateMachineNames: RUNBOOKS.map((runbook) =>
        runbookStateMachineName(namePrefix, runbook.name),
      ),
      availabilityZones: config.availabilityZones,
      // AZ IDs map to names per account: unknown offline unless given, else Health AZ IDs stay IDs.
      azIdToName: options.azIdToName ?? {},
      assumeOwned: options.assumeOwned,
    },
  };
};

/**
 * A synthesized pattern as `--assume-owned` reads it: the names Rebound gives its own resources
 * (`rebound-<stage>-…`, e.g. the alarm-name prefix or the cache group id) become deploy-time
 * tokens like the names imported from the shop, so `match-anything` lets AWS's sample names
 * through them too.
 */
export const assumingOwnership = (pattern: unknown, namePrefix: string): unknown => {
  if (typeof pattern === 'string') {
    return pattern.startsWith(`${namePrefix}-`) ? { Ref: pattern } : pattern;
  }
  if (Array.isArray(pattern)) return pattern.map((item) => assumingOwnership(item, namePrefix));
  if (typeof pattern !== 'object' || pattern === null) return pattern;
  return Object.fromEntries(
    Object.entries(pattern).map(([key, value]) => [key, assumingOwnership(value, namePrefix)]),
  );
};
