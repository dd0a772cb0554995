import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAlarmNotification } from '../../functions/lib/alarm-event.js';

type JsonObject = { [key: string]: unknown };

const fixture = (name: string): JsonObject =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/events/cloudwatch/${name}.json`, import.meta.url), 'utf8'),
  );

const alarmEvent = (change: (event: JsonObject, detail: JsonObject) => void): JsonObject => {
  const event = fixture('alarm-state-change-alarm');
  const detail = { ...(event.detail as JsonObject) };
  const copy = { ...event, detail };
  change(copy, detail);
  return copy;
};

describe('parseAlarmNotification', () => {
  it('reads the documented single-metric sample, dimensions as a map', () => {
    // Prepare
    const input = { severity: 'critical', event: fixture('alarm-state-change-alarm') };

    // Act
    const result = parseAlarmNotification(input);

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.severity).toBe('critical');
    expect(result.value.event.detail.state.value).toBe('ALARM');
    expect(result.value.event.detail.previousState?.value).toBe('OK');
    expect(result.value.event.resources?.[0]).toBe(
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
    );
    expect(result.value.event.detail.configuration?.metrics?.[0]?.metricStat?.metric).toEqual({
      namespace: 'AWS/EC2',
      name: 'CPUUtilization',
      dimensions: { InstanceId: 'i-12345678901234567' },
    });
  });

  it('reads the documented composite sample: alarm rule, no metrics, suppression', () => {
    // Prepare
    const input = { severity: 'warning', event: fixture('alarm-state-change-composite') };

    // Act
    const result = parseAlarmNotification(input);

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.event.detail.configuration).toEqual({
      alarmRule: 'ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)',
    });
    expect(result.value.event.detail.state.actionsSuppressedBy).toBe('WaitPeriod');
  });

  it('accepts a state without reasonData and an event without previousState', () => {
    // Prepare
    const event = alarmEvent((_event, detail) => {
      detail.state = { value: 'ALARM', reason: 'r', timestamp: '2019-10-02T17:04:40.989+0000' };
      Reflect.deleteProperty(detail, 'previousState');
    });

    // Act
    const result = parseAlarmNotification({ severity: 'critical', event });

    // Assess
    expect(result.ok).toBe(true);
  });

  it('keeps the alert when only the decorative configuration is malformed', () => {
    // Prepare
    const event = alarmEvent((_event, detail) => {
      detail.configuration = { description: 42, metrics: 'not a list' };
    });

    // Act
    const result = parseAlarmNotification({ severity: 'critical', event });

    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.event.detail.configuration).toBeUndefined();
    expect(result.value.event.detail.alarmName).toBe('ServerCpuTooHigh');
  });

  it.each([
    [
      'an alarm name longer than CloudWatch allows',
      alarmEvent((_event, detail) => {
        detail.alarmName = 'x'.repeat(256);
      }),
      /event\.detail\.alarmName: /,
    ],
    [
      'an empty alarm name',
      alarmEvent((_event, detail) => {
        detail.alarmName = '';
      }),
      /event\.detail\.alarmName: /,
    ],
    [
      'a region that is not a region code (it ends up in a URL host)',
      alarmEvent((event) => {
        event.region = 'evil.example.com/#';
      }),
      /event\.region: expected an AWS region code/,
    ],
    [
      'an account that is not 12 digits',
      alarmEvent((event) => {
        event.account = '12345';
      }),
      /event\.account: expected a 12-digit AWS account id/,
    ],
    [
      'another source',
      alarmEvent((event) => {
        event.source = 'aws.ec2';
      }),
      /event\.source: /,
    ],
    [
      'a state without value',
      alarmEvent((_event, detail) => {
        detail.state = { reason: 'no value' };
      }),
      /event\.detail\.state\.value: /,
    ],
  ])('rejects %s, naming the field', (_label, event, reason) => {
    // Prepare: event given by the table

    // Act
    const result = parseAlarmNotification({ severity: 'critical', event });

    // Assess
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('reports at most five issues', () => {
    // Prepare
    const input = { severity: 'loud', event: { detail: {} } };

    // Act
    const result = parseAlarmNotification(input);

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason.split('; ')).toHaveLength(6);
    expect(result.reason).toMatch(/; and \d+ more issue\(s\)$/);
  });

  it.each([undefined, 0, true, Symbol('x'), () => 1, new Date(0)])(
    'never throws, even for %s',
    (input) => {
      // Prepare: input given by the table

      // Act
      const act = () => parseAlarmNotification(input);

      // Assess
      expect(act).not.toThrow();
      expect(act().ok).toBe(false);
    },
  );
});
