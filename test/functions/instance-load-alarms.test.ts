import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import { policyFor } from '../../functions/lib/core/policy.js';
import type { Signal } from '../../functions/lib/core/signal.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { SHOP } from './support/shop-inventory.js';

/**
 * Load on one instance (CPU, network, an anomaly band) is pressure, not sickness: a fresh
 * instance would take the same load, so it never starts replace-unhealthy-instance. Samples
 * verbatim from the CloudWatch User Guide, "Alarm events and EventBridge",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 * (all three alarm on `InstanceId` i-12345678901234567).
 */

type JsonObject = { [key: string]: unknown };

const fixture = (path: string): JsonObject & { detail: JsonObject } =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${path}.json`, import.meta.url), 'utf8'));

const signalOf = (input: unknown): Signal => {
  const result = parseIncomingEvent(input);
  if (!result.ok || result.events[0] === undefined) throw new Error('event must parse');
  const signal = classify(result.events[0], { ...SHOP, assumeOwned: true });
  if (signal === null) throw new Error('event must classify');
  return signal;
};

/** The single-metric sample on another metric of the same instance. */
const onMetric = (name: string, namespace = 'AWS/EC2') => {
  const event = fixture('cloudwatch/alarm-state-change-alarm');
  const configuration = event.detail.configuration as {
    metrics: { metricStat: { metric: { name: string; namespace: string } } }[];
  };
  for (const query of configuration.metrics) {
    query.metricStat.metric.name = name;
    query.metricStat.metric.namespace = namespace;
  }
  return event;
};

describe('alarms on one instance: load is pressure, not sickness', () => {
  it.each([
    ['CPU above a threshold', 'cloudwatch/alarm-state-change-alarm'],
    ['network in and out (metric math)', 'cloudwatch/alarm-metric-math-network'],
    ['CPU out of its anomaly band', 'cloudwatch/alarm-anomaly-detection'],
  ])('observes %s without replacing the instance', (_what, path) => {
    // Act
    const signal = signalOf(fixture(path));
    const verdict = policyFor(signal);

    // Assess
    expect(signal).toMatchObject({
      kind: 'capacity-pressure',
      phase: 'problem',
      resource: { type: 'ec2-instance', id: 'i-12345678901234567' },
      selfHealing: { by: 'target-tracking' },
    });
    expect(verdict.action).toBe('notify');
    expect(verdict.rule).toBe('aws-heals-it');
  });

  it('takes an anomaly band on any metric of the instance for pressure', () => {
    // Prepare
    const event = fixture('cloudwatch/alarm-anomaly-detection');
    const [metric] = (
      event.detail.configuration as { metrics: { metricStat: { metric: { name: string } } }[] }
    ).metrics;
    if (metric !== undefined) metric.metricStat.metric.name = 'DiskReadOps';

    // Act / Assess
    expect(signalOf(event).kind).toBe('capacity-pressure');
  });

  it.each([
    ['StatusCheckFailed', 'AWS/EC2'],
    ['mem_used_percent', 'CWAgent'],
    ['disk_used_percent', 'CWAgent'],
  ])('still replaces an instance whose %s alarms (a gray failure)', (name, namespace) => {
    // Act
    const verdict = policyFor(signalOf(onMetric(name, namespace)));

    // Assess
    expect(verdict).toMatchObject({ action: 'runbook', runbook: 'replace-unhealthy-instance' });
  });
});
