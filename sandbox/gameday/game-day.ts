import { MemoryApprovalStore } from '../../functions/lib/approval/memory-approval-store.js';
import type { RequestResult } from '../../functions/lib/approval/request.js';
import { unavailableCacheZones } from '../../functions/lib/aws/describe-cache.js';
import { dbInstanceZones } from '../../functions/lib/aws/describe-database.js';
import { targetErrorZones } from '../../functions/lib/aws/describe-target-error-zones.js';
import { unhealthyTargetZones } from '../../functions/lib/aws/describe-unhealthy-zones.js';
import { AwsZoneLocator, TRIAGE_ZONE_LOOKUP } from '../../functions/lib/aws/zone-locator.js';
import {
  type AutomationMode,
  guardrailParameterValues,
  parseGuardrails,
} from '../../functions/lib/core/guardrails.js';
import { handedOverAt, type Incident } from '../../functions/lib/core/incident.js';
import { readShopSettings, type ShopSettings } from '../../infra/recovery/shop-settings.js';
import { resourcesOf, type SynthesizedTemplate } from '../../infra/synthesized-template.js';
import type { SynthesizedIntake } from '../synthesized-intake.js';
import { AlarmEvaluator } from './alarms.js';
import { answerApproval } from './approver.js';
import { SimulatedAwsApi } from './aws-api.js';
import { executionStatusChange } from './aws-events.js';
import {
  type DeliveredAlert,
  type Delivery,
  RELIABLE_DELIVERY,
  SimulatedControlPlane,
} from './control-plane.js';
import { lambdaSteps, simulatedClient } from './lambda-steps.js';
import { seededRandom } from './random.js';
import {
  type ExecutionRecord,
  readRunbookMachines,
  SimulatedRunbooks,
} from './runbook-executions.js';
import type { Scenario, World } from './scenario.js';
import { type Instance, type ShopChange, type ShopSample, SimulatedShop } from './shop.js';
import { VirtualTime } from './virtual-time.js';

/**
 * One game day: the simulated shop and the real control plane on one virtual clock, a
 * scenario's fault injected after a calm lead-in, played until the incident is resolved (or the
 * scenario's time is up), then measured.
 */

/** The game day's start; any fixed time does (the clock is virtual). */
export const GAME_DAY_START = new Date('2026-11-27T02:00:00Z');
/** Calm before the fault (or its build-up): alarms have history, target tracking is settled. */
export const LEAD_IN_MS = 5 * 60_000;
/** How often the game day looks whether the shop serves again. */
const RECOVERY_CHECK_MS = 1_000;

export interface GameDayOptions {
  readonly mode: Extract<AutomationMode, 'dry-run' | 'auto'>;
  readonly seed: number;
}

export interface Measures {
  readonly faultAt: number;
  readonly detectedAt?: number;
  readonly actedAt?: number;
  readonly recoveredAt?: number;
  readonly resolvedAt?: number;
  /** The incident marked `failed`: the automation handed over to a person. */
  readonly escalatedAt?: number;
}

export interface GameDayResult {
  readonly scenario: Scenario;
  readonly options: GameDayOptions;
  readonly settings: ShopSettings;
  readonly measures: Measures;
  readonly incidents: readonly Incident[];
  readonly alerts: readonly DeliveredAlert[];
  readonly deliveries: readonly Delivery[];
  readonly executions: readonly ExecutionRecord[];
  readonly changes: readonly ShopChange[];
  readonly samples: readonly ShopSample[];
  /** Every instance the web group ran, terminated ones included, as the game day left it. */
  readonly instances: readonly Instance[];
  readonly alarmTransitions: readonly { at: number; alarm: string; from: string; to: string }[];
  readonly lostEvents: number;
  readonly endedAt: number;
}

/** Metrics the shop simulates; alarms on others stay OK (nothing in a scenario moves them). */
const MODELLED_METRICS = new Set([
  'UnHealthyHostCount',
  'HealthyHostCount',
  'HTTPCode_ELB_5XX_Count',
  'HTTPCode_Target_5XX_Count',
  'RequestCount',
  'GroupInServiceInstances',
  'CPUUtilization|AWS/EC2',
  'mem_used_percent',
  'ReplicaLag',
]);

/** The plain string variables of the function `functionName` in the template. */
const functionEnvironment = (
  template: SynthesizedTemplate,
  functionName: string,
): Record<string, string> => {
  const found = resourcesOf(template, 'AWS::Lambda::Function').find(
    ([, fn]) => fn.Properties?.FunctionName === functionName,
  );
  const variables =
    (found?.[1].Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables ?? {};
  return Object.fromEntries(
    Object.entries(variables).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
};

export const runGameDay = async (
  intake: SynthesizedIntake,
  scenario: Scenario,
  options: GameDayOptions,
): Promise<GameDayResult> => {
  const { config } = intake;
  const namePrefix = intake.inventory.namePrefix;
  const time = new VirtualTime(GAME_DAY_START);
  const random = seededRandom(options.seed);
  const settings = readShopSettings(intake.templates.shop, {
    region: config.region,
    availabilityZones: config.availabilityZones,
  });
  const guardrails = parseGuardrails(
    guardrailParameterValues({ ...config.automation, mode: options.mode }),
  );
  const controlPlane = new SimulatedControlPlane(
    intake,
    time,
    random,
    guardrails,
    scenario.delivery ?? RELIABLE_DELIVERY,
  );
  const shop = new SimulatedShop(settings, config.region, time, random, controlPlane);
  const alarms = new AlarmEvaluator(
    shop,
    [...settings.alarms, ...settings.mathAlarms],
    (metric) =>
      MODELLED_METRICS.has(metric.metricName) ||
      MODELLED_METRICS.has(`${metric.metricName}|${metric.namespace}`),
  );
  const api = new SimulatedAwsApi(shop, alarms);
  const approvals = new MemoryApprovalStore();
  const steps = lambdaSteps({
    api,
    settings,
    loadBalancerArn: shop.loadBalancerArn,
    stage: config.stage,
    region: config.region,
    namePrefix,
    checkDeps: {
      guardrails: async () => controlPlane.guardrails,
      incidents: controlPlane.store,
      ledger: controlPlane.ledger,
      clock: time.clock,
      warn: () => undefined,
    },
    alerts: controlPlane.publisher,
    timer: controlPlane.timer,
    environmentOf: (functionName) =>
      functionEnvironment(intake.templates.controlPlane, functionName),
    approvals,
  });
  const runbooks = new SimulatedRunbooks(
    readRunbookMachines(intake.templates, config.region, namePrefix),
    api,
    steps,
    time,
    config.region,
    namePrefix,
    // Step Functions tells EventBridge how a run ended, best effort (EventBridge reference,
    // "AWS Step Functions events"); the intake rule takes those that did not succeed.
    (run) =>
      controlPlane.emit(
        executionStatusChange(shop.nextEventId(), time.nowMs, config.region, run),
        'best-effort',
      ),
    random,
  );
  // The scenario's on-call answers an approval request (RequestApproval's result) in time.
  const { approver } = scenario;
  if (approver !== undefined) {
    runbooks.answerToken = async (requested, timeoutSeconds) =>
      approver.afterSeconds < timeoutSeconds
        ? answerApproval((requested as RequestResult).approvalId, approver, { approvals, time })
        : undefined;
  }
  controlPlane.runbooks = runbooks;
  // Triage's AZ lookups, as the Lambda wires them (functions/lib/triage-events.ts).
  controlPlane.zones = new AwsZoneLocator(
    {
      dbInstance: (id, signal) => dbInstanceZones(simulatedClient(api, 'rds'), id, signal),
      unavailableCacheMembers: (id, signal) =>
        unavailableCacheZones(simulatedClient(api, 'elasticache'), id, signal),
      unhealthyTargets: (query, signal) =>
        unhealthyTargetZones(simulatedClient(api, 'cloudwatch'), query, signal),
      targetErrors: (query, signal) =>
        targetErrorZones(simulatedClient(api, 'cloudwatch'), query, signal),
    },
    {
      ...TRIAGE_ZONE_LOOKUP,
      availabilityZones: intake.inventory.availabilityZones,
      clock: time.clock,
    },
  );
  const world: World = { time, random, shop, alarms, api, controlPlane, runbooks, settings };

  shop.start();
  alarms.start();
  const injectAt = time.nowMs + LEAD_IN_MS;
  const faultAt = injectAt + (scenario.buildsUpMinutes ?? 0) * 60_000;
  time.at(injectAt, () => scenario.inject(world));

  // Recovery: the first check at which the scenario's condition holds again after the fault
  // broke it (a fault takes a while to show: a crashed instance stays a healthy target until
  // its health checks fail).
  let recoveredAt: number | undefined;
  let broken = false;
  time.every(RECOVERY_CHECK_MS, faultAt + RECOVERY_CHECK_MS, () => {
    const serves = scenario.recovered(world);
    if (!serves) broken = true;
    else if (broken) recoveredAt = time.nowMs;
    return recoveredAt === undefined;
  });

  const incidentIds = () =>
    new Set(
      controlPlane.deliveries.flatMap((d) =>
        typeof d.outcome === 'object' && d.outcome.incident !== null ? [d.outcome.incident.id] : [],
      ),
    );
  const incidents = async () =>
    (await Promise.all([...incidentIds()].map((id) => controlPlane.store.get(id)))).filter(
      (incident): incident is Incident => incident !== undefined,
    );
  let settled = false;
  const endMs = faultAt + scenario.maxMinutes * 60_000;
  // Played in steps of a minute so that the end condition is looked at as the day goes.
  while (time.nowMs < endMs && !settled) {
    await time.runUntil(Math.min(endMs, time.nowMs + 60_000));
    const current = await incidents();
    settled =
      time.nowMs >= faultAt + (scenario.playsAtLeastMinutes ?? 0) * 60_000 &&
      recoveredAt !== undefined &&
      current.length > 0 &&
      current.every(
        (incident) => incident.resolvedAt !== undefined || incident.status === 'failed',
      ) &&
      runbooks.executions.every((execution) => execution.status !== 'RUNNING');
  }
  const finalIncidents = await incidents();
  const detected = controlPlane.deliveries.find(
    (d) => d.at >= faultAt && typeof d.outcome === 'object' && d.outcome.incident !== null,
  );
  const acted = [
    ...runbooks.executions.map((e) => e.startedAt),
    ...shop.changes.map((c) => c.at),
  ].sort((a, b) => a - b)[0];
  /** The given ISO times as epoch ms, earliest first. */
  const inOrder = (times: readonly (string | undefined)[]) =>
    times
      .filter((at): at is string => at !== undefined)
      .map((at) => Date.parse(at))
      .sort((a, b) => a - b);
  // Only a resolved incident has a `resolvedAt`; a failed one was handed over, not resolved.
  const resolved = inOrder(finalIncidents.map((incident) => incident.resolvedAt)).at(-1);
  const escalated = inOrder(finalIncidents.map(handedOverAt))[0];
  return {
    scenario,
    options,
    settings,
    measures: {
      faultAt,
      ...(detected === undefined ? {} : { detectedAt: detected.at }),
      ...(acted === undefined ? {} : { actedAt: acted }),
      ...(recoveredAt === undefined ? {} : { recoveredAt }),
      ...(resolved === undefined || finalIncidents.some((i) => i.status !== 'resolved')
        ? {}
        : { resolvedAt: resolved }),
      ...(escalated === undefined ? {} : { escalatedAt: escalated }),
    },
    incidents: finalIncidents,
    alerts: controlPlane.alerts,
    deliveries: controlPlane.deliveries,
    executions: runbooks.executions,
    changes: shop.changes,
    samples: shop.samples,
    instances: shop.ran,
    alarmTransitions: alarms.transitions,
    lostEvents: controlPlane.lost.length,
    endedAt: time.nowMs,
  };
};
