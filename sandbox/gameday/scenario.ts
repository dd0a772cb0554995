import type { ShopSettings } from '../../infra/recovery/shop-settings.js';
import type { FailureClass } from '../../infra/recovery-objectives.js';
import type { AlarmEvaluator } from './alarms.js';
import type { ScriptedAnswer } from './approver.js';
import type { SimulatedAwsApi } from './aws-api.js';
import type { DeliveryPlan, SimulatedControlPlane } from './control-plane.js';
import type { Random } from './random.js';
import type { SimulatedRunbooks } from './runbook-executions.js';
import type { SimulatedShop } from './shop.js';
import type { VirtualTime } from './virtual-time.js';

/** Everything a scenario can touch: the shop, AWS's APIs, the control plane, the clock. */
export interface World {
  readonly time: VirtualTime;
  readonly random: Random;
  readonly shop: SimulatedShop;
  readonly alarms: AlarmEvaluator;
  readonly api: SimulatedAwsApi;
  readonly controlPlane: SimulatedControlPlane;
  readonly runbooks: SimulatedRunbooks;
  readonly settings: ShopSettings;
}

export type { FailureClass } from '../../infra/recovery-objectives.js';

export interface Scenario {
  readonly name: string;
  readonly title: string;
  readonly failureClass: FailureClass;
  /**
   * Fault to resolved (MTTR) must stay within this, minutes: its class's default objective; the
   * game day command puts the configured `recoveryObjectives` in its place.
   */
  readonly objectiveMinutes: number;
  /** The game day plays at least this long after the fault, minutes (events AWS sends late). */
  readonly playsAtLeastMinutes?: number;
  /** The game day gives up this long after the fault, minutes. */
  readonly maxMinutes: number;
  /** How AWS delivers the events (reliable unless given). */
  readonly delivery?: DeliveryPlan;
  /** Most an event of `delivery` is late, seconds (what `npm run rto` assumes for it). */
  readonly eventLatenessSeconds?: number;
  /**
   * Mutating calls the guardrails allow Rebound in `auto` (e.g. one instance replacement);
   * 0 unless given: where AWS heals by itself, Rebound only watches.
   */
  readonly maxChanges?: number;
  /**
   * A defect of Rebound this scenario shows and that is not fixed yet: the game day still runs
   * it and reports FAIL; the test expects the failure, so a fix turns it red (drop this then).
   */
  readonly knownDefect?: string;
  /**
   * Why no setting bounds when the incident resolves, when none does (it waits for AWS to close
   * an issue it posted): the worst case of `npm run rto` then bounds the recovery alone.
   */
  readonly resolutionUnbounded?: string;
  /** How the on-call answers a runbook's approval request (none: nobody answers, it times out). */
  readonly approver?: ScriptedAnswer;
  /** The modes whose runs show `knownDefect` (both unless given). */
  readonly knownDefectModes?: readonly ('auto' | 'dry-run')[];
  /**
   * What Rebound's definitions do about this fault in `auto`: `recover` (unless given) the shop
   * within the objective, or `escalate` to a person without acting (its runbook's retries run out
   * on a throttled API, an approval never comes): the incident ends `failed`, with one page; or
   * `absorb`: AWS alone (target tracking) serves the shop again within the objective before any
   * alarm of the shop fires, so Rebound opens nothing, pages nobody and changes nothing.
   */
  readonly expectedOutcome?: 'recover' | 'escalate' | 'absorb';
  /** A traffic surge, × a normal day's load: `npm run rto`'s surge budget bounds its recovery. */
  readonly capacitySurge?: number;
  /**
   * A fault that builds up before it hurts (a leak), minutes: `inject` runs this long before the
   * fault time, and every measure (detect, act, recover, MTTR) counts from the fault time, when
   * customers start to feel it. 0 unless given: the fault hurts at once.
   */
  readonly buildsUpMinutes?: number;
  /** Breaks the shop: at the fault time, or `buildsUpMinutes` before it. */
  readonly inject: (world: World) => void;
  /** The shop serves as configured again. */
  readonly recovered: (world: World) => boolean;
}
