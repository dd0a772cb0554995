import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import { policyFor } from '../../functions/lib/core/policy.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { WEB_TIER_NAMESPACE } from '../../shop/metrics-namespace.js';
import { SHOP } from '../functions/support/shop-inventory.js';
import {
  literalText,
  onlyResource,
  ref,
  resourcesOf,
  type SynthesizedShop,
  synthShop,
} from './synth-shop.js';

/**
 * The alarms on the shop service's own metrics (shop/emf.ts, sent through the CloudWatch
 * agent's EMF listener): their rules in the template, and how triage classifies them when they
 * fire. No runbook recovers failed checkouts, slow requests or database errors of the app: the
 * checkout one pages a person (critical), the other two inform (warning).
 */

interface AlarmProps {
  readonly AlarmName: string;
  readonly AlarmDescription: string;
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: { Name: string; Value: unknown }[];
  readonly Statistic?: string;
  readonly ExtendedStatistic?: string;
  readonly Period: number;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm: number;
  readonly TreatMissingData: string;
}

const SERVICE_ALARMS = [
  ['rebound-dev-shop-checkout-errors', 'CheckoutErrors', 'Sum', 5, 3, 'critical'],
  ['rebound-dev-shop-p99-latency', 'RequestLatency', 'p99', 1_000, 5, 'warning'],
  ['rebound-dev-shop-db-errors', 'DbErrors', 'Sum', 30, 5, 'warning'],
] as const;

/** AWS's documented alarm state-change sample, made one of these alarms firing. */
const firing = (alarm: AlarmProps) => {
  const sample = JSON.parse(
    readFileSync(
      new URL('../fixtures/events/cloudwatch/alarm-asg-cpu.json', import.meta.url),
      'utf8',
    ),
  );
  sample.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarm.AlarmName}`];
  sample.detail.alarmName = alarm.AlarmName;
  sample.detail.configuration.description = alarm.AlarmDescription;
  sample.detail.configuration.metrics[0].metricStat.metric = {
    namespace: alarm.Namespace,
    name: alarm.MetricName,
    dimensions: { AutoScalingGroupName: SHOP.autoScalingGroupName },
  };
  const parsed = parseIncomingEvent(sample);
  if (!parsed.ok || parsed.events[0] === undefined) throw new Error('the event must parse');
  return parsed.events[0];
};

describe('alarms on the shop service metrics', () => {
  let dev: SynthesizedShop;
  let alarms: AlarmProps[];
  beforeAll(() => {
    dev = synthShop();
    alarms = resourcesOf<AlarmProps>(dev.template, 'AWS::CloudWatch::Alarm')
      .map(({ props }) => props)
      .filter((props) => props.AlarmName.startsWith('rebound-dev-shop-'));
  });

  it('watches the EMF metrics in the agent namespace of the web group', () => {
    // Prepare
    const group = onlyResource(dev.template, 'AWS::AutoScaling::AutoScalingGroup');

    // Assess
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      SERVICE_ALARMS.map(([name]) => name).sort(),
    );
    for (const [name, metric, statistic, threshold, minutes, severity] of SERVICE_ALARMS) {
      const alarm = alarms.find((a) => a.AlarmName === name);
      expect(alarm, name).toMatchObject({
        Namespace: 'Rebound/WebTier',
        MetricName: metric,
        Dimensions: [{ Name: 'AutoScalingGroupName', Value: ref(group.id) }],
        Period: 60,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: minutes,
        DatapointsToAlarm: minutes,
        // A quiet shop (no requests, no metrics) is not an outage; the web-tier alarms say if
        // the instances are gone.
        TreatMissingData: 'notBreaching',
      });
      expect(alarm?.Statistic ?? alarm?.ExtendedStatistic, name).toBe(statistic);
      expect(alarm?.AlarmDescription.startsWith(`[${severity}] `), name).toBe(true);
    }
  });

  it('are among the alarms triage trusts (ShopAlarms.alarmNames → SHOP_ALARM_NAMES)', () => {
    // Act
    const names = dev.shop.node
      .findAll()
      .flatMap((c) => ('alarmNames' in c ? [(c as { alarmNames: string[] }).alarmNames] : []))
      .flat();

    // Assess
    for (const [name] of SERVICE_ALARMS) expect(names).toContain(name);
  });

  it.each(SERVICE_ALARMS.map(([name, , , , , severity]) => [name, severity] as const))(
    '%s firing: about the web group, %s, a person told, no runbook',
    (name, severity) => {
      // Prepare
      const alarm = alarms.find((a) => a.AlarmName === name) as AlarmProps;
      const inventory = { ...SHOP, shopAlarmNames: [...SHOP.shopAlarmNames, name] };

      // Act
      const signal = classify(firing(alarm), inventory);
      const verdict = signal === null ? undefined : policyFor(signal);

      // Assess
      expect(signal).toMatchObject({
        kind: 'informational',
        phase: 'problem',
        severity,
        resource: { type: 'auto-scaling-group', id: SHOP.autoScalingGroupName },
        partKey: `alarm:${name}`,
      });
      expect(signal?.untrusted).toBeUndefined();
      expect(verdict).toMatchObject({ action: 'notify', rule: 'no-runbook' });
    },
  );

  it('the instances listen for EMF: the agent config has logs.metrics_collected.emf', () => {
    // Prepare
    const { props } = onlyResource<{ LaunchTemplateData: { UserData: unknown } }>(
      dev.template,
      'AWS::EC2::LaunchTemplate',
    );
    const script = literalText(props.LaunchTemplateData.UserData);

    // Act
    const config = JSON.parse(/rebound\.json <<'JSON'\n([\s\S]*?)\nJSON/.exec(script)?.[1] ?? '{}');

    // Assess
    expect(config.logs).toEqual({ metrics_collected: { emf: {} } });
    expect(config.metrics.namespace).toBe(WEB_TIER_NAMESPACE);
  });
});
