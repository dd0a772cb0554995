import { EVALUATION_DELAY_MS } from '../../infra/recovery/physics.js';
import type { AlarmSettings } from '../../infra/recovery/shop-settings.js';
import type { SimulatedShop } from './shop.js';

/**
 * CloudWatch alarms evaluated from the simulated metrics, with each alarm's own period,
 * evaluation periods, datapoints to alarm, threshold, comparison and missing-data treatment,
 * as deployed. An alarm is ALARM when at least `datapointsToAlarm` of its last
 * `evaluationPeriods` datapoints breach, OK otherwise. CloudWatch evaluates a period once its
 * metrics have arrived: `EVALUATION_DELAY_MS` after the period ends.
 */

export interface AlarmTransition {
  readonly at: number;
  readonly alarm: string;
  readonly from: string;
  readonly to: string;
}

const aggregate = (statistic: string, values: readonly number[]): number | undefined => {
  if (values.length === 0) return undefined;
  switch (statistic) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
};

const breaches = (alarm: AlarmSettings, value: number): boolean => {
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
const missingBreaches = (alarm: AlarmSettings): boolean | undefined =>
  alarm.treatMissingData === 'breaching'
    ? true
    : alarm.treatMissingData === 'notBreaching'
      ? false
      : undefined;

export class AlarmEvaluator {
  readonly transitions: AlarmTransition[] = [];
  readonly #states = new Map<string, string>();
  readonly #history = new Map<string, (boolean | undefined)[]>();

  constructor(
    readonly shop: SimulatedShop,
    readonly alarms: readonly AlarmSettings[],
    /** Metrics the simulator models; an alarm on any other metric never breaches. */
    readonly modelled: (alarm: AlarmSettings) => boolean,
  ) {}

  stateOf(name: string): string {
    return this.#states.get(name) ?? 'OK';
  }

  /** Every alarm, evaluated at the end of each of its periods (plus the arrival delay). */
  start(): void {
    const { time } = this.shop;
    for (const alarm of this.alarms) {
      if (!this.modelled(alarm)) continue;
      const period = alarm.periodSeconds * 1000;
      const firstEnd = Math.ceil(time.nowMs / period) * period;
      time.every(period, firstEnd + EVALUATION_DELAY_MS, () => {
        this.#evaluate(alarm, time.nowMs - EVALUATION_DELAY_MS);
        return true;
      });
    }
  }

  #evaluate(alarm: AlarmSettings, periodEnd: number): void {
    const period = alarm.periodSeconds * 1000;
    const values = this.shop.samplesOf(
      alarm.namespace,
      alarm.metricName,
      alarm.dimensions,
      periodEnd - period,
      periodEnd,
    );
    const value = aggregate(alarm.statistic, values);
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
