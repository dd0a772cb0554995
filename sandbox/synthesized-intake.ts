import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShopInventory } from '../functions/lib/core/inventory.js';
import { RUNBOOKS, runbookStateMachineName } from '../functions/lib/core/runbook-registry.js';
import type { ReboundConfig } from '../infra/config.js';
import { buildReboundApp } from '../infra/rebound-app.js';
import { compileEventPattern, type MatchOptions } from './event-pattern.js';

/**
 * The control plane's intake as deployed: synthesizes the app from cdk.json offline (no
 * bundling) and reads every EventBridge rule's pattern back from the control-plane template,
 * so the replay matches events against the very patterns that deploy.
 */

export interface IntakeRule {
  readonly name: string;
  readonly matches: (event: unknown) => boolean;
}

export interface SynthesizedIntake {
  readonly config: ReboundConfig;
  readonly rules: readonly IntakeRule[];
  /** Name of the intake for ElastiCache notifications (an SNS subscription, not a rule). */
  readonly cacheNotificationIntake: string;
  readonly inventory: ShopInventory;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: { readonly Name?: unknown; readonly EventPattern?: unknown };
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const synthesizeIntake = (options: {
  readonly assumeOwned: boolean;
  /** The account's AZ ID → AZ name map, when the caller knows it (`--az-ids`). */
  readonly azIdToName?: Readonly<Record<string, string>>;
}): SynthesizedIntake => {
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const { app, controlPlane, config } = buildReboundApp({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] },
  });
  const template = app.synth().getStackByName(controlPlane.stackName).template as {
    Resources?: Record<string, TemplateResource>;
  };
  const resources = template.Resources ?? {};
  const namePrefix = `rebound-${config.stage}`;
  const matchOptions: MatchOptions = {
    intrinsics: options.assumeOwned ? 'match-anything' : 'match-nothing',
  };
  const rules = Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .map(([logicalId, resource]) => {
      const pattern = resource.Properties?.EventPattern;
      return {
        name: typeof resource.Properties?.Name === 'string' ? resource.Properties.Name : logicalId,
        matches: compileEventPattern(
          options.assumeOwned ? assumingOwnership(pattern, namePrefix) : pattern,
          matchOptions,
        ),
      };
    });
  return {
    config,
    rules,
    cacheNotificationIntake: `${namePrefix}-cache-events (SNS subscription)`,
    inventory: {
      region: config.region,
      namePrefix,
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
