import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AlarmNotification,
  type AlarmState,
  parseAlarmNotification,
} from '../../functions/lib/alarm-event.js';
import {
  alarmConsoleUrl,
  renderAlarmMessage,
  SNS_SUBJECT_MAX_LENGTH,
  toSnsSubject,
} from '../../functions/lib/alarm-message.js';
import type { Severity } from '../../functions/lib/severity.js';
import { isGsm7 } from '../../functions/lib/sms.js';

type FixtureName =
  | 'alarm-state-change-alarm'
  | 'alarm-state-change-ok'
  | 'alarm-state-change-composite';

const fixture = (name: FixtureName): unknown =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/events/cloudwatch/${name}.json`, import.meta.url), 'utf8'),
  );

const notification = (name: FixtureName, severity: Severity = 'critical'): AlarmNotification => {
  const parsed = parseAlarmNotification({ severity, event: fixture(name) });
  if (!parsed.ok) throw new Error(`fixture ${name} does not parse: ${parsed.reason}`);
  return parsed.value;
};

const withDetail = (
  base: AlarmNotification,
  detail: Partial<AlarmNotification['event']['detail']>,
): AlarmNotification => ({
  ...base,
  event: { ...base.event, detail: { ...base.event.detail, ...detail } },
});

/** `Key:   value` lines of the email body, keyed by their label. */
const emailFields = (email: string): Map<string, string> =>
  new Map(
    email
      .split('\n')
      .map((line) => /^([A-Z][A-Za-z ]*?):\s+(\S.*)$/.exec(line))
      .filter((match) => match !== null)
      .map((match): [string, string] => [match[1] ?? '', match[2] ?? '']),
  );

/** The indented lines under "What is measured:". */
const measuredLines = (email: string): string[] => {
  const lines = email.split('\n');
  const start = lines.indexOf('What is measured:');
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end).map((line) => line.trim());
};

const consoleLink = (email: string): URL => {
  const line = email.split('\n').find((candidate) => candidate.startsWith('https://'));
  if (line === undefined) throw new Error('no console link in the email');
  return new URL(line);
};

const isPrintableAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

const INSUFFICIENT_DATA: AlarmState = {
  value: 'INSUFFICIENT_DATA',
  reason: 'Insufficient Data: 1 datapoint was unknown.',
  timestamp: '2019-10-02T17:09:40.123+0000',
};

describe('renderAlarmMessage: single-metric alarm going into ALARM', () => {
  it('announces a critical alarm in the subject, the SMS and the severity', () => {
    // Prepare
    const input = notification('alarm-state-change-alarm', 'critical');

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    expect(message.subject).toBe('[CRITICAL] ALARM: ServerCpuTooHigh');
    expect(message.sms).toBe('CRITICAL ServerCpuTooHigh ALARM (was OK) us-east-1');
    expect(message.severity).toBe('critical');
  });

  it('keeps the rule severity for a warning alarm', () => {
    // Prepare
    const input = notification('alarm-state-change-alarm', 'warning');

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    expect(message.subject).toBe('[WARNING] ALARM: ServerCpuTooHigh');
    expect(message.sms).toBe('WARNING ServerCpuTooHigh ALARM (was OK) us-east-1');
    expect(message.severity).toBe('warning');
  });

  it('gives the facts in the email: name, states, severity, reason, time, region, account', () => {
    // Prepare
    const input = notification('alarm-state-change-alarm', 'critical');

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    const lines = message.email.split('\n');
    expect(lines[0]).toBe('CRITICAL - ALARM: ServerCpuTooHigh');
    expect(Object.fromEntries(emailFields(message.email))).toMatchObject({
      Alarm: 'ServerCpuTooHigh',
      'New state': 'ALARM',
      Previous: 'OK',
      Severity: 'critical',
      Reason: input.event.detail.state.reason,
      Description: 'Goes into alarm when server CPU utilization is too high!',
      Time: '2019-10-02 17:04:40 UTC',
      Region: 'us-east-1',
      Account: '123456789012',
      'Alarm ARN': 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
    });
  });

  it('names the metric with its namespace, name, dimensions and statistic', () => {
    // Prepare
    const input = notification('alarm-state-change-alarm');

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    expect(measuredLines(message.email)).toEqual([
      '- AWS/EC2 CPUUtilization [InstanceId=i-12345678901234567] (Average over 300 s)',
    ]);
  });

  it('links to the alarm in the CloudWatch console of its region', () => {
    // Prepare
    const input = notification('alarm-state-change-alarm');

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    const link = consoleLink(message.email);
    expect(link.origin).toBe('https://us-east-1.console.aws.amazon.com');
    expect(link.pathname).toBe('/cloudwatch/home');
    expect(link.searchParams.get('region')).toBe('us-east-1');
    expect(link.hash).toBe('#alarmsV2:alarm/ServerCpuTooHigh');
  });

  it('lists metric-math expressions and caps the metric list', () => {
    // Prepare
    const base = notification('alarm-state-change-alarm');
    const metrics = [
      { id: 'e1', expression: 'SUM(METRICS())', label: 'Total Network Traffic', returnData: true },
      ...Array.from({ length: 11 }, (_, index) => ({
        id: `m${index}`,
        metricStat: {
          metric: {
            namespace: 'AWS/EC2',
            name: 'NetworkIn',
            dimensions: { InstanceId: `i-${index}` },
          },
          period: 60,
          stat: 'Maximum',
        },
        returnData: false,
      })),
    ];
    const input = withDetail(base, { configuration: { metrics } });

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    const measured = measuredLines(message.email);
    expect(measured[0]).toBe('- e1 = SUM(METRICS()) "Total Network Traffic"');
    expect(measured[1]).toBe('- AWS/EC2 NetworkIn [InstanceId=i-0] (Maximum over 60 s)');
    expect(measured).toHaveLength(11);
    expect(measured[10]).toBe('- ... and 2 more');
  });
});

describe('renderAlarmMessage: back to OK', () => {
  it('announces a resolved alarm at the severity of the alarm it resolves', () => {
    // Prepare
    const input = notification('alarm-state-change-ok', 'critical');

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    expect(message.subject).toBe('[RESOLVED] OK: ServerCpuTooHigh');
    expect(message.sms).toBe('RESOLVED ServerCpuTooHigh OK (was ALARM) us-east-1');
    expect(message.severity).toBe('critical');
    expect(message.email.split('\n')[0]).toBe('RESOLVED - OK: ServerCpuTooHigh');
    expect(emailFields(message.email).get('New state')).toBe('OK');
    expect(emailFields(message.email).get('Previous')).toBe('ALARM');
  });

  it('does not text anyone when an alarm leaves INSUFFICIENT_DATA for OK (e.g. a new alarm)', () => {
    // Prepare
    const base = notification('alarm-state-change-ok', 'critical');
    const input = withDetail(base, { previousState: INSUFFICIENT_DATA });

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    expect(message.severity).toBe('warning');
    expect(message.subject).toBe('[RESOLVED] OK: ServerCpuTooHigh');
    expect(message.sms).toBe('RESOLVED ServerCpuTooHigh OK (was NO DATA) us-east-1');
  });
});

describe('renderAlarmMessage: INSUFFICIENT_DATA', () => {
  it('announces "no data" at warning level, even for a critical alarm', () => {
    // Prepare
    const base = notification('alarm-state-change-alarm', 'critical');
    const input = withDetail(base, { state: INSUFFICIENT_DATA });

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    expect(message.severity).toBe('warning');
    expect(message.subject).toBe('[WARNING] NO DATA: ServerCpuTooHigh');
    expect(message.sms).toBe('WARNING ServerCpuTooHigh NO DATA (was OK) us-east-1');
    expect(message.email.split('\n')[0]).toBe(
      'WARNING - NO DATA (INSUFFICIENT_DATA): ServerCpuTooHigh',
    );
    expect(Object.fromEntries(emailFields(message.email))).toMatchObject({
      'New state': 'INSUFFICIENT_DATA',
      Severity: 'warning',
      Reason: 'Insufficient Data: 1 datapoint was unknown.',
      Time: '2019-10-02 17:09:40 UTC',
    });
  });
});

describe('renderAlarmMessage: composite alarm', () => {
  it('shows the alarm rule instead of metrics and says that actions are suppressed', () => {
    // Prepare
    const input = notification('alarm-state-change-composite', 'critical');

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    expect(message.subject).toBe('[CRITICAL] ALARM: ServiceAggregatedAlarm');
    expect(message.sms).toBe('CRITICAL ServiceAggregatedAlarm ALARM (was OK) us-east-1');
    expect(measuredLines(message.email)).toEqual([
      'Composite alarm rule: ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)',
    ]);
    const note = message.email.split('\n').find((line) => line.startsWith('Note:'));
    expect(note).toBe(
      "Note: CloudWatch holds this composite alarm's own actions " +
        '(WaitPeriod: Actions suppressed by WaitPeriod). Rebound tells you anyway.',
    );
    expect(emailFields(message.email).has('Description')).toBe(false);
    expect(consoleLink(message.email).hash).toBe('#alarmsV2:alarm/ServiceAggregatedAlarm');
  });
});

describe('renderAlarmMessage: sparse and hostile events', () => {
  it('copes with an event without previous state, reason, timestamp or configuration', () => {
    // Prepare
    const base = notification('alarm-state-change-alarm', 'critical');
    const input = withDetail(base, {
      state: { value: 'ALARM' },
      previousState: undefined,
      configuration: undefined,
    });

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    expect(message.sms).toBe('CRITICAL ServerCpuTooHigh ALARM us-east-1');
    expect(Object.fromEntries(emailFields(message.email))).toMatchObject({
      Previous: 'unknown',
      Reason: '(none given)',
      Time: '2019-10-02 17:04:40 UTC',
    });
    expect(measuredLines(message.email)).toEqual(['(the event names no metric)']);
  });

  it('mentions an alarm mute rule', () => {
    // Prepare
    const base = notification('alarm-state-change-alarm');
    const input = withDetail(base, {
      muteDetail: {
        mutedByArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:nightly',
        muteWindowStart: '2026-01-01T10:00:00.000+0000',
        muteWindowEnd: '2026-01-01T12:00:00.000+0000',
      },
    });

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    const note = message.email.split('\n').find((line) => line.startsWith('Note:'));
    expect(note).toBe(
      "Note: an alarm mute rule mutes this alarm's own actions " +
        '(arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:nightly), ' +
        'window 2026-01-01 10:00:00 UTC to 2026-01-01 12:00:00 UTC. Rebound tells you anyway.',
    );
  });

  it('URL-encodes the alarm name in the console link', () => {
    // Prepare
    const base = notification('alarm-state-change-alarm');
    const input = withDetail(base, { alarmName: 'EC2 CPU / Utilization #1?' });

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    const link = consoleLink(message.email);
    expect(link.hash).toBe('#alarmsV2:alarm/EC2%20CPU%20%2F%20Utilization%20%231%3F');
    expect(link.searchParams.get('region')).toBe('us-east-1');
  });

  const LONG_NAMES = [
    ['a 255-character name with emoji', `rebound-prod-🔥-${'x'.repeat(230)}-🚨-alb-5xx-🔥`],
    ['a 255-character name of CJK characters', '漢'.repeat(255)],
    ['a name with line breaks and tabs', `rebound\nprod\r\n${'y'.repeat(200)}\talb`],
    ['a name with GSM extension characters', `[prod]{${'~|'.repeat(120)}}€`],
  ] as const;

  const STATES = [
    ['ALARM', { value: 'ALARM' }],
    ['OK', { value: 'OK' }],
    ['INSUFFICIENT_DATA', { value: 'INSUFFICIENT_DATA' }],
  ] as const satisfies readonly (readonly [string, AlarmState])[];

  it.each(LONG_NAMES)('keeps the SMS to one GSM-7 segment with %s', (_label, alarmName) => {
    // Prepare
    const base = notification('alarm-state-change-alarm', 'critical');
    const inputs = STATES.map(([, state]) =>
      withDetail(base, { alarmName, state, previousState: INSUFFICIENT_DATA }),
    );

    // Act
    const messages = inputs.map((input) => renderAlarmMessage(input));

    // Assess
    expect(alarmName.length).toBeGreaterThanOrEqual(200);
    for (const message of messages) {
      expect(message.sms.length).toBeLessThanOrEqual(140);
      expect(isGsm7(message.sms)).toBe(true);
      expect(message.sms).not.toMatch(/[\r\n]/);
      expect(message.sms).toContain('..');
      expect(message.sms.endsWith('(was NO DATA) us-east-1')).toBe(true);
    }
  });

  it.each(LONG_NAMES)(
    'keeps the subject short, ASCII and on one line with %s',
    (_label, alarmName) => {
      // Prepare
      const base = notification('alarm-state-change-alarm', 'critical');
      const inputs = STATES.map(([, state]) => withDetail(base, { alarmName, state }));

      // Act
      const messages = inputs.map((input) => renderAlarmMessage(input));

      // Assess
      expect(messages.map((message) => message.subject.split(': ')[0])).toEqual([
        '[CRITICAL] ALARM',
        '[RESOLVED] OK',
        '[WARNING] NO DATA',
      ]);
      for (const message of messages) {
        expect(message.subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
        expect(message.subject.length).toBeLessThanOrEqual(100);
        expect(isPrintableAscii(message.subject)).toBe(true);
        expect(message.subject).not.toMatch(/[\r\n]/);
      }
    },
  );

  it('keeps the alarm name whole in the email, on one line', () => {
    // Prepare
    const base = notification('alarm-state-change-alarm');
    const alarmName = `rebound-prod-🔥-${'x'.repeat(230)}-🚨-alb-5xx-🔥`;
    const input = withDetail(base, { alarmName });

    // Act
    const message = renderAlarmMessage(input);

    // Assess
    expect(emailFields(message.email).get('Alarm')).toBe(alarmName);
    expect(decodeURIComponent(consoleLink(message.email).hash)).toBe(
      `#alarmsV2:alarm/${alarmName}`,
    );
  });
});

describe('toSnsSubject', () => {
  it('makes any text a valid SNS subject', () => {
    // Prepare
    const text = `Ärger:\n“${'ü'.repeat(150)}” 🔥`;

    // Act
    const subject = toSnsSubject(text);

    // Assess
    expect(subject.startsWith('Arger: "uuu')).toBe(true);
    expect(subject).toHaveLength(SNS_SUBJECT_MAX_LENGTH);
    expect(isPrintableAscii(subject)).toBe(true);
  });
});

describe('alarmConsoleUrl', () => {
  it('builds the documented alarm deep link', () => {
    // Prepare
    const region = 'eu-west-3';

    // Act
    const url = alarmConsoleUrl(region, 'rebound prod/alb');

    // Assess
    expect(url).toBe(
      'https://eu-west-3.console.aws.amazon.com/cloudwatch/home?region=eu-west-3#alarmsV2:alarm/rebound%20prod%2Falb',
    );
  });
});
