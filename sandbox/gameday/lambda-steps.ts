import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { ApprovalStore } from '../../functions/lib/approval/ports.js';
import { recordApproval } from '../../functions/lib/approval/record.js';
import { requestApproval } from '../../functions/lib/approval/request.js';
import { parseApprovalEvent } from '../../functions/lib/approval/schemas.js';
import { renderRunbookOutcomeAlert } from '../../functions/lib/core/alerts/runbook-outcome-alert.js';
import { guardrailParameterPath } from '../../functions/lib/core/guardrails.js';
import type { AlertPublisher, RecoveryTimer } from '../../functions/lib/core/ports.js';
import { wholeNumber } from '../../functions/lib/env.js';
import { AwsFleetReader } from '../../functions/lib/runbook/aws-fleet-reader.js';
import type { CheckDeps } from '../../functions/lib/runbook/check.js';
import { parseReportEvent } from '../../functions/lib/runbook/events.js';
import { reportRunbookOutcome } from '../../functions/lib/runbook/report-outcome.js';
import type { ShopSettings } from '../../infra/recovery/shop-settings.js';
import {
  type AzEvacuationCheckDeps,
  checkAzEvacuation,
  checkAzRecovered,
  checkEvacuation,
  parseAzEvacuationEvent,
  recheckAzEvacuation,
  shiftApplied,
} from '../../runbooks/az-evacuation/steps.js';
import { AwsCacheReader } from '../../runbooks/cache-failover/aws-cache-reader.js';
import {
  checkCacheFailover,
  parseCacheFailoverEvent,
  recheckCacheFailover,
  verifyCacheFailoverStep,
} from '../../runbooks/cache-failover/steps.js';
import { AwsRdsReader } from '../../runbooks/rds-failover/aws-rds-reader.js';
import { AwsReplicaLagReader } from '../../runbooks/rds-failover/aws-replica-lag-reader.js';
import {
  checkRdsFailover,
  parseRdsFailoverEvent,
  type RdsShop,
  recheckRdsFailover,
  verifyRdsFailover,
} from '../../runbooks/rds-failover/steps.js';
import {
  checkInstanceReplacement,
  parseGuardrailEvent,
} from '../../runbooks/replace-unhealthy-instance/steps.js';
import type { SimulatedAwsApi } from './aws-api.js';
import type { LambdaSteps } from './runbook-executions.js';
import { gameDayAzIds } from './scenarios.js';

/**
 * The runbooks' task Lambdas with their real logic, wired like their handler.ts does (settings
 * from the function's synthesized environment), except
 * that the AWS adapters get a client whose `send` is answered by the simulated AWS API, and the
 * stores, guardrails and clock are the game day's. A function the game day does not wire fails
 * the run loudly (never a silent stub).
 */

/** An AWS SDK client whose commands the simulated API answers (`DescribeDBInstancesCommand` → `rds:DescribeDBInstances`). */
export const simulatedClient = <T>(api: SimulatedAwsApi, service: string): T =>
  ({
    send: async (command: { readonly input: Record<string, unknown> }) =>
      api.call(service, command.constructor.name.replace(/Command$/, ''), command.input),
  }) as T;

export const lambdaSteps = (options: {
  readonly api: SimulatedAwsApi;
  readonly settings: ShopSettings;
  /** The shop's load balancer, as ARC names it (the zonal shift's resource). */
  readonly loadBalancerArn: string;
  readonly stage: string;
  readonly region: string;
  readonly namePrefix: string;
  readonly checkDeps: CheckDeps;
  readonly alerts: AlertPublisher;
  /** The game day's Scheduler: a report's recovery check comes back to triage at its time. */
  readonly timer: RecoveryTimer;
  /** A function's environment as synthesized (its plain string values). */
  readonly environmentOf: (functionName: string) => Readonly<Record<string, string>>;
  /** The approvals function's store (the scripted person answers through it). */
  readonly approvals: ApprovalStore;
}): LambdaSteps => {
  const { api, settings, checkDeps, namePrefix } = options;
  const fleet = new AwsFleetReader(
    simulatedClient<AutoScalingClient>(api, 'autoscaling'),
    simulatedClient<ElasticLoadBalancingV2Client>(api, 'elasticloadbalancingv2'),
    settings.group.name,
    settings.targetGroup.arn,
  );
  const zoneNames = gameDayAzIds(settings.availabilityZones);
  const db = new AwsRdsReader(simulatedClient<RDSClient>(api, 'rds'));
  const rdsEnvironment = options.environmentOf(`${namePrefix}-rds-failover-step`);
  const rdsShop: RdsShop = {
    primaryId: settings.database.primaryId,
    replicaIds: settings.database.replicas.map((replica) => replica.id),
    replicaLagThresholdSeconds: wholeNumber(
      'REPLICA_LAG_THRESHOLD_SECONDS',
      rdsEnvironment.REPLICA_LAG_THRESHOLD_SECONDS ?? '',
      1,
    ),
    primaryEndpointParameter: rdsEnvironment.PRIMARY_ENDPOINT_PARAMETER ?? '',
  };
  const replicaLag = new AwsReplicaLagReader(simulatedClient<CloudWatchClient>(api, 'cloudwatch'), {
    clock: checkDeps.clock,
  });
  const cacheDeps = {
    ...checkDeps,
    cache: new AwsCacheReader(simulatedClient<ElastiCacheClient>(api, 'elasticache')),
    config: {
      replicationGroupId: settings.cache.groupId,
      replicas: settings.cache.nodeIds.length - 1,
    },
  };
  const azDeps: AzEvacuationCheckDeps = {
    ...checkDeps,
    fleet,
    zoneNames: async () => zoneNames,
    config: {
      loadBalancerArn: options.loadBalancerArn,
      availabilityZones: settings.availabilityZones,
    },
  };
  const reportDeps = {
    incidents: checkDeps.incidents,
    alerts: options.alerts,
    render: (input: Parameters<typeof renderRunbookOutcomeAlert>[0]) =>
      renderRunbookOutcomeAlert(input, options.region, {
        guardrailPath: guardrailParameterPath(options.stage),
      }),
    clock: checkDeps.clock,
    timer: options.timer,
  };
  // The approvals function as in IAM mode (no signed links: the game day has no endpoint).
  const approvalDeps = {
    approvals: options.approvals,
    incidents: checkDeps.incidents,
    alerts: options.alerts,
    stage: options.stage,
    region: options.region,
    clock: checkDeps.clock,
  };
  const steps: Readonly<Record<string, (payload: unknown) => Promise<unknown>>> = {
    [`${namePrefix}-approvals`]: (payload) => {
      const parsed = parseApprovalEvent(payload);
      return parsed.type === 'request'
        ? requestApproval(parsed, approvalDeps)
        : recordApproval(parsed, approvalDeps);
    },
    [`${namePrefix}-replace-unhealthy-instance-guardrail`]: (payload) =>
      checkInstanceReplacement(parseGuardrailEvent(payload), {
        ...checkDeps,
        fleet,
        zoneNames: async () => zoneNames,
      }),
    [`${namePrefix}-rds-failover-step`]: (payload) => {
      const parsed = parseRdsFailoverEvent(payload);
      switch (parsed.step) {
        case 'check':
          return checkRdsFailover(parsed, rdsShop, { ...checkDeps, db });
        case 'recheck':
          return recheckRdsFailover(parsed, rdsShop, { ...checkDeps, db });
        case 'verify':
          return verifyRdsFailover(parsed, rdsShop, { db, replicaLag });
      }
    },
    [`${namePrefix}-az-evacuation-step`]: (payload) => {
      const parsed = parseAzEvacuationEvent(payload);
      switch (parsed.step) {
        case 'check':
          return checkAzEvacuation(parsed, azDeps);
        case 'recheck':
          return recheckAzEvacuation(parsed, azDeps);
        case 'shift-applied':
          return Promise.resolve(shiftApplied(parsed));
        case 'verify':
          return checkEvacuation(parsed, fleet);
        case 'az-recovered':
          return checkAzRecovered(parsed, checkDeps.incidents);
      }
    },
    [`${namePrefix}-cache-failover-step`]: (payload) => {
      const parsed = parseCacheFailoverEvent(payload);
      switch (parsed.step) {
        case 'check':
          return checkCacheFailover(parsed, cacheDeps);
        case 'recheck':
          return recheckCacheFailover(parsed, cacheDeps);
        case 'verify':
          return verifyCacheFailoverStep(parsed, cacheDeps);
      }
    },
  };
  return async (functionName, payload) => {
    if (functionName.endsWith('-report'))
      return reportRunbookOutcome(parseReportEvent(payload), reportDeps);
    const step = steps[functionName];
    if (step === undefined)
      throw new Error(`the game day does not wire the Lambda function ${functionName}`);
    return step(payload);
  };
};
