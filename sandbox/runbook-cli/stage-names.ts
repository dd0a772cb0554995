import type { DeployedNames } from '../../functions/lib/runbook/run-input.js';
import { CONFIG_DEFAULTS } from '../../infra/config.js';

/**
 * The names a stage's deploy gives the resources runbook inputs name, from cdk.json's settings
 * alone (no AWS call, no synthesis, no check of unrelated settings): what `npm run runbook`
 * checks an input against before it starts anything. They follow the constructs that create
 * them: infra/constructs/web-tier.ts (`<prefix>-web`), database.ts (`<prefix>-db`,
 * `<prefix>-db-replica-<n>` for `dbReadReplicas`), cache.ts (`<prefix>-cache`), and the three
 * AZs of config.ts (`availabilityZones`, by default the region's a, b and c).
 */
export const stageNamesOf = (
  stage: string,
  region: string,
  settings: Readonly<Record<string, unknown>>,
): DeployedNames => {
  const prefix = `rebound-${stage}`;
  const zones = String(settings.availabilityZones ?? CONFIG_DEFAULTS.availabilityZones)
    .split(',')
    .map((zone) => zone.trim())
    .filter((zone) => zone !== '');
  const replicas = Number(settings.dbReadReplicas ?? CONFIG_DEFAULTS.dbReadReplicas);
  return {
    namePrefix: prefix,
    'web-group': [`${prefix}-web`],
    'primary-db': [`${prefix}-db`],
    'db-replica': Array.from(
      { length: Number.isInteger(replicas) && replicas > 0 ? replicas : 0 },
      (_, index) => `${prefix}-db-replica-${index + 1}`,
    ),
    'cache-group': [`${prefix}-cache`],
    'availability-zone': zones.length > 0 ? zones : ['a', 'b', 'c'].map((az) => `${region}${az}`),
  };
};

/** An AZ ID (`use1-az1`), which AWS Health and ARC use: the same zone has another name per account. */
export const AZ_ID = /^[a-z]{2,4}\d+-az\d+$/;
