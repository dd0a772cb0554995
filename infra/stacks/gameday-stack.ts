import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ReboundConfig } from '../config.js';
import { WEB_IN_SERVICE_BELOW_MIN } from '../constructs/shop-alarms.js';
import { ExperimentLog } from '../gameday/experiment-log.js';
import {
  disruptSubnets,
  type Fault,
  failOverDatabase,
  type IsoDuration,
  inMinutes,
  interruptCachePower,
  pauseWebLaunches,
  stopWebInstances,
  stressOneWebInstanceMemory,
  terminateOneWebInstance,
} from '../gameday/faults.js';
import { GameDayExperiment } from '../gameday/game-day-experiment.js';
import { ShopTargetArns, type ShopTargetNames } from '../gameday/shop-targets.js';

export interface ShopAlarmName {
  readonly what: string;
  readonly name: string;
  readonly severity: string;
}

export interface GameDayStackProps extends StackProps {
  readonly config: ReboundConfig;
  /** The deployed shop's names (plain strings: no cross-stack reference, see shop-targets.ts). */
  readonly shop: ShopTargetNames;
  /** The shop's alarms (ShopAlarms.named). */
  readonly shopAlarms: readonly ShopAlarmName[];
}

/** How long an AZ stays without power: AWS's AZ power interruption scenario's default, 30 minutes. */
export const AZ_POWER_DURATION: IsoDuration = 'PT30M';
/**
 * AWS FIS quota "Stop conditions per experiment template": 5, not adjustable (Service Quotas code
 * L-872EC72B; FIS User Guide, "Quotas and limitations").
 */
const MAX_STOP_CONDITIONS = 5;
/** The game day's memory leak: most of one instance's memory, for 15 minutes. */
export const MEMORY_STRESS = { percent: 95, seconds: 900 } as const;

/**
 * The real-cloud game days (`gameDays=true`): AWS FIS experiment templates that do to the
 * deployed shop what `npm run gameday` does to the simulated one, each stopped as soon as
 * customers are hurt. Deployed on its own, after the shop, and reading only its names.
 */
export class GameDayStack extends Stack {
  public readonly experiments: readonly GameDayExperiment[];
  /** ARNs of the alarms that stop every experiment. */
  public readonly stopAlarmArns: readonly string[];

  constructor(scope: Construct, id: string, props: GameDayStackProps) {
    super(scope, id, props);
    const namePrefix = `rebound-${props.config.stage}`;
    const arns = new ShopTargetArns(this, props.shop);
    const log = new ExperimentLog(this, 'Log', {
      namePrefix,
      protectData: props.config.protectData,
    });

    // Stop on the shop's critical alarms, the ones that mean customers are hurt now, except the
    // one each experiment sets off on purpose: losing web instances takes the group below its
    // minimum until it replaces them, which is what Rebound must then see and handle. (The
    // zonal-autoshift composite `practice-run-health` includes that alarm and exists only with
    // zonalAutoshift=on, so it is not used.)
    this.stopAlarmArns = props.shopAlarms
      .filter(({ severity, what }) => severity === 'critical' && what !== WEB_IN_SERVICE_BELOW_MIN)
      .map(({ name }) => arns.alarm(name));
    if (this.stopAlarmArns.length > MAX_STOP_CONDITIONS) {
      throw new Error(
        `the shop has ${this.stopAlarmArns.length} critical alarms but an FIS experiment template takes at most ${MAX_STOP_CONDITIONS} stop conditions: join them in a composite alarm for the game days`,
      );
    }

    const experiment = (
      name: string,
      description: string,
      faults: readonly Fault[],
      emptyTargets: 'skip' | 'fail',
    ) =>
      new GameDayExperiment(this, name, {
        namePrefix,
        name,
        description,
        faults,
        stopAlarmArns: this.stopAlarmArns,
        logGroupArn: log.logGroupArn,
        emptyTargets,
      });

    this.experiments = [
      // AWS's "AZ Availability: Power Interruption" scenario, for the resource types the shop
      // has: its EC2 instances stop, the group cannot launch in the AZ, the AZ's subnets lose
      // their network, a primary database there fails over, the cache's nodes there lose power.
      // (Its EBS pause and IAM-role capacity error have no shop resource to act on: web volumes
      // stop with their instances, and only the group launches instances.)
      ...props.config.availabilityZones.map((az) =>
        experiment(
          `az-power-${az}`,
          `Rebound ${props.config.stage}: power interruption of ${az} for ${inMinutes(AZ_POWER_DURATION)}`,
          [
            stopWebInstances(arns, az, AZ_POWER_DURATION),
            pauseWebLaunches(arns, az, AZ_POWER_DURATION),
            disruptSubnets(arns, az, AZ_POWER_DURATION),
            failOverDatabase(arns, az),
            interruptCachePower(arns, az, AZ_POWER_DURATION),
          ],
          'skip',
        ),
      ),
      experiment(
        'instance-termination',
        `Rebound ${props.config.stage}: one web instance terminated`,
        [terminateOneWebInstance(arns)],
        'fail',
      ),
      experiment(
        'memory-stress',
        `Rebound ${props.config.stage}: one web instance runs out of memory`,
        [stressOneWebInstanceMemory(arns, MEMORY_STRESS)],
        'fail',
      ),
      experiment(
        'rds-failover',
        `Rebound ${props.config.stage}: Multi-AZ failover of the primary database`,
        [failOverDatabase(arns)],
        'fail',
      ),
      ...props.config.availabilityZones.map((az) =>
        experiment(
          `cache-power-${az}`,
          `Rebound ${props.config.stage}: cache nodes in ${az} lose power for ${inMinutes(AZ_POWER_DURATION)}`,
          [interruptCachePower(arns, az, AZ_POWER_DURATION)],
          'fail',
        ),
      ),
    ];

    for (const { node, template } of this.experiments) {
      new CfnOutput(this, `${pascal(node.id)}TemplateId`, {
        value: template.ref,
        description: `aws fis start-experiment --experiment-template-id <this> (${node.id})`,
      });
    }
  }
}

const pascal = (kebab: string): string =>
  kebab.replace(/(?:^|-)([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
