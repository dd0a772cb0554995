import { EVALUATION_DELAY_MS } from '../../infra/recovery/physics.js';
import type {
  AlarmSettings,
  MathAlarmSettings,
  MetricQuerySettings,
} from '../../infra/recovery/shop-settings.js';
import { parseMetricMath } from './metric-math.js';
import type { SimulatedShop } from './shop.js';
import { statisticOf } from './statistics.js';

/**
 * CloudWatch alarms evaluated from the simulated metrics, with each alarm's own period,
 * evaluation periods, datapoints to alarm, threshold, comparison and missing-data treatment,
 * as deployed. An alarm is ALARM when at least `datapointsToAlarm` of its last
 * `evaluationPeriods` datapoints breach, OK otherwise. CloudWatch evaluates a period once its
 * metrics have arrived: `EVALUATION_DELAY_MS` after the period ends. A metric-math alarm's value
 * for a period is its expression over its metric queries' statistics for that period
 * (metric-math.ts: an expression the game day cannot evaluate stops it at the start).
 */

/** Either kind of alarm the shop deploys. */
export type ShopAlarm = AlarmSettings | MathAlarmSettings;

/** A metric the simulator models (its namespace and name). */
export type ModelledMetric = (metric: Pick<AlarmSettings, 'namespace' | 'metricName'>) => boolean;

export interface AlarmTransition {
  readonly at: number;
  readonly alarm: string;
  readonly from: string;
  readonly to: string;
}

const breaches = (alarm: ShopAlarm, value: number): boolean => {
  switch (alarm.comparison) {
    case 'GreaterThanThreshold':
      return value > alarm.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= alarm.threshold;
    case 'LessThanThreshold':
      return value < alarm.threshold;
    default:
      return value <= alarm.threshold;
  }
};

/** Whether a missing datapoint counts as breaching (`breaching`) or is left out (others). */
const missingBreaches = (alarm: ShopAlarm): boolean | undefined =>
  alarm.treatMissingData === 'breaching'
    ? true
    : alarm.treatMissingData === 'notBreaching'
      ? false
      : undefined;

/** An alarm with how its value for the period [from, to) is read from the simulated metrics. */
interface Evaluated {
  readonly alarm: ShopAlarm;
  readonly value: (from: number, to: number) => number | undefined;
}

export class AlarmEvaluator {
  readonly transitions: AlarmTransition[] = [];
  readonly #states = new Map<string, string>();
  readonly #history = new Map<string, (boolean | undefined)[]>();
  readonly #evaluated: readonly Evaluated[];

  constructor(
    readonly shop: SimulatedShop,
    alarms: readonly ShopAlarm[],
    /** Metrics the simulator models; an alarm on any other metric never breaches. */
    modelled: ModelledMetric,
  ) {
    const statistic = (metric: MetricQuerySettings | AlarmSettings, from: number, to: number) =>
      statisticOf(
        metric.statistic,
        shop.samplesOf(metric.namespace, metric.metricName, metric.dimensions, from, to),
      );
    this.#evaluated = alarms.flatMap((alarm): Evaluated[] => {
      if (!('expression' in alarm))
        return modelled(alarm) ? [{ alarm, value: (from, to) => statistic(alarm, from, to) }] : [];
      // Parsed whether modelled or not: an expression the game day cannot read stops it here.
      const math = parseMetricMath(alarm.expression);
      const unknown = [...math.ids].filter((id) => !alarm.metrics.some((m) => m.id === id));
      if (unknown.length > 0)
        throw new Error(
          `${alarm.name}: its expression names no metric query ${unknown.join(', ')}`,
        );
      if (!alarm.metrics.every(modelled)) return [];
      return [
        {
          alarm,
          value: (from, to) =>
            math.evaluate(
              Object.fromEntries(alarm.metrics.map((m) => [m.id, statistic(m, from, to)])),
            ),
        },
      ];
    });
  }

  stateOf(name: string): string {
    return this.#states.get(name) ?? 'OK';
  }

  /** Every alarm, evaluated at the end of each of its periods (plus the arrival delay). */
  start(): void {
    const { time } = this.shop;
    for (const evaluated of this.#evaluated) {
      const period = evaluated.alarm.periodSeconds * 1000;
      const firstEnd = Math.ceil(time.nowMs / period) * period;
      time.every(period, firstEnd + EVALUATION_DELAY_MS, () => {
        this.#evaluate(evaluated, time.nowMs - EVALUATION_DELAY_MS);
        return true;
      });
    }
  }

  #evaluate({ alarm, value: valueFor }: Evaluated, periodEnd: number): void {
    const value = valueFor(periodEnd - alarm.periodSeconds * 1000, periodEnd);
    const history = this.#history.get(alarm.name) ?? [];
    history.push(value === undefined ? missingBreaches(alarm) : breaches(alarm, value));
    const window = history.slice(-alarm.evaluationPeriods);
    this.#history.set(alarm.name, window);
    const breaching = window.filter((b) => b === true).length;
    const next = breaching >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
    const previous = this.stateOf(alarm.name);
    if (next === previous) return;
    this.#states.set(alarm.name, next);
    this.transitions.push({
      at: this.shop.time.nowMs,
      alarm: alarm.name,
      from: previous,
      to: next,
    });
    const shown = window
      .map((b) => (b === undefined ? 'missing' : b ? 'breaching' : 'ok'))
      .join(', ');
    this.shop.emitAlarm(
      alarm,
      previous,
      next,
      `Threshold Crossed: ${breaching} out of the last ${window.length} datapoints [${shown}] ${next === 'ALARM' ? 'were' : 'were not'} breaching the threshold (${alarm.threshold}) (minimum ${alarm.datapointsToAlarm} datapoints for ${previous} -> ${next} transition).`,
    );
  }
}
