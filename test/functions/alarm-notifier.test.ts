import { readFileSync } from 'node:fs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { requireEnv } from '../../functions/lib/env.js';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:rebound-alerts';

type JsonObject = { [key: string]: unknown };

const fixture = (name: string): JsonObject =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/events/cloudwatch/${name}.json`, import.meta.url), 'utf8'),
  );

/** The alarm fixture with `change` applied to a fresh copy of its `detail`. */
const alarmEventWithDetail = (change: (detail: JsonObject) => void): JsonObject => {
  const event = fixture('alarm-state-change-alarm');
  const detail = { ...(event.detail as JsonObject) };
  change(detail);
  return { ...event, detail };
};

/** Imports the handler the way Lambda does: module scope runs with the environment of the test. */
const loadHandler = async () => {
  vi.stubEnv('ALERTS_TOPIC_ARN', TOPIC_ARN);
  const module = await import('../../functions/alarm-notifier.js');
  return module.handler;
};

const snsMock = mockClient(SNSClient);

/** The input of every PublishCommand the mock received. */
const publishedInputs = () =>
  snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);

beforeEach(() => {
  snsMock.reset();
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('alarm notifier handler: valid alarm state change', () => {
  it('publishes exactly one message to the alerts topic with severity and kind attributes', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
    const handler = await loadHandler();
    const input = { severity: 'critical', event: fixture('alarm-state-change-alarm') };

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toEqual({ status: 'published', messageId: 'message-1' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toReceiveCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: '[CRITICAL] ALARM: ServerCpuTooHigh',
      MessageStructure: 'json',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'critical' },
        kind: { DataType: 'String', StringValue: 'alarm' },
      },
    });
  });

  it('sends per-protocol texts: default and email the same body, sms a single segment', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-2' });
    const handler = await loadHandler();
    const input = { severity: 'critical', event: fixture('alarm-state-change-alarm') };

    // Act
    await handler(input);

    // Assess
    const [published] = publishedInputs();
    const texts = JSON.parse(published?.Message ?? 'null') as Record<string, string>;
    expect(Object.keys(texts).sort()).toEqual(['default', 'email', 'sms']);
    expect(texts.email).toBe(texts.default);
    expect(texts.email?.split('\n')[0]).toBe('CRITICAL - ALARM: ServerCpuTooHigh');
    expect(texts.sms).toBe('CRITICAL ServerCpuTooHigh ALARM (was OK) us-east-1');
  });

  it('marks a warning alarm as warning so that SMS subscriptions filter it out', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-3' });
    const handler = await loadHandler();
    const input = { severity: 'warning', event: fixture('alarm-state-change-alarm') };

    // Act
    await handler(input);

    // Assess
    const [published] = publishedInputs();
    expect(published?.MessageAttributes?.severity?.StringValue).toBe('warning');
    expect(published?.Subject).toBe('[WARNING] ALARM: ServerCpuTooHigh');
  });

  it('announces the recovery of a critical alarm as resolved, to the same audience', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-4' });
    const handler = await loadHandler();
    const input = { severity: 'critical', event: fixture('alarm-state-change-ok') };

    // Act
    await handler(input);

    // Assess
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toReceiveCommandWith(PublishCommand, {
      Subject: '[RESOLVED] OK: ServerCpuTooHigh',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'critical' },
        kind: { DataType: 'String', StringValue: 'alarm' },
      },
    });
  });

  it('announces INSUFFICIENT_DATA of a critical alarm at warning level', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-5' });
    const handler = await loadHandler();
    const event = alarmEventWithDetail((detail) => {
      detail.state = {
        value: 'INSUFFICIENT_DATA',
        reason: 'Insufficient Data: 1 datapoint was unknown.',
      };
    });

    // Act
    await handler({ severity: 'critical', event });

    // Assess
    const [published] = publishedInputs();
    expect(published?.MessageAttributes?.severity?.StringValue).toBe('warning');
    expect(published?.Subject).toBe('[WARNING] NO DATA: ServerCpuTooHigh');
  });

  it('publishes the composite alarm sample', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'message-6' });
    const handler = await loadHandler();
    const input = { severity: 'critical', event: fixture('alarm-state-change-composite') };

    // Act
    const result = await handler(input);

    // Assess
    expect(result).toEqual({ status: 'published', messageId: 'message-6' });
    expect(snsMock).toReceiveCommandWith(PublishCommand, {
      Subject: '[CRITICAL] ALARM: ServiceAggregatedAlarm',
    });
  });
});

describe('alarm notifier handler: input it must not act on', () => {
  const configurationChange = { ...fixture('alarm-state-change-alarm') };
  configurationChange['detail-type'] = 'CloudWatch Alarm Configuration Change';

  const withoutAlarmName = alarmEventWithDetail((detail) => {
    Reflect.deleteProperty(detail, 'alarmName');
  });

  const unknownState = alarmEventWithDetail((detail) => {
    detail.state = { value: 'ON_FIRE', reason: 'made up' };
  });

  const cases: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['null', null, /\(input\): .*expected object/],
    ['a string', 'CloudWatch Alarm State Change', /\(input\): .*expected object/],
    ['an array', [], /\(input\): .*expected object/],
    ['an object without event', { severity: 'critical' }, /event: .*expected object/],
    [
      'a configuration change event',
      { severity: 'critical', event: configurationChange },
      /event\.detail-type: unsupported detail-type "CloudWatch Alarm Configuration Change"/,
    ],
    [
      'an event without alarmName',
      { severity: 'critical', event: withoutAlarmName },
      /event\.detail\.alarmName: /,
    ],
    [
      'a severity outside the enum',
      { severity: 'page-everyone', event: fixture('alarm-state-change-alarm') },
      /severity: /,
    ],
    ['a missing severity', { event: fixture('alarm-state-change-alarm') }, /severity: /],
    [
      'an unknown state value',
      { severity: 'warning', event: unknownState },
      /event\.detail\.state\.value: /,
    ],
  ];

  it.each(cases)(
    'ignores %s: publishes nothing, does not throw, logs why',
    async (_label, input, reason) => {
      // Prepare
      snsMock.on(PublishCommand).resolves({ MessageId: 'never' });
      const handler = await loadHandler();

      // Act
      const result = await handler(input);

      // Assess
      expect(result).toEqual({ status: 'ignored', reason: expect.stringMatching(reason) });
      expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 0);
      expect(console.warn).toHaveBeenCalledTimes(1);
      const logged = JSON.parse(String(vi.mocked(console.warn).mock.calls[0]?.[0]));
      expect(logged).toEqual({
        level: 'WARN',
        message: 'alarm-notifier ignored its input',
        reason: expect.stringMatching(reason),
      });
    },
  );
});

describe('alarm notifier handler: SNS failure', () => {
  it('rejects when SNS rejects, so that Lambda retries and the DLQ keeps the event', async () => {
    // Prepare
    const failure = Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
    snsMock.on(PublishCommand).rejects(failure);
    const handler = await loadHandler();
    const input = { severity: 'critical', event: fixture('alarm-state-change-alarm') };

    // Act
    const outcome = handler(input);

    // Assess
    await expect(outcome).rejects.toThrow('Rate exceeded');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const logged = JSON.parse(String(vi.mocked(console.error).mock.calls[0]?.[0]));
    expect(logged).toMatchObject({
      level: 'ERROR',
      alarmName: 'ServerCpuTooHigh',
      error: 'ThrottledException: Rate exceeded',
    });
  });
});

describe('configuration from the environment', () => {
  it('requireEnv returns the value of a set variable', () => {
    // Prepare
    vi.stubEnv('REBOUND_TEST_VARIABLE', 'value');

    // Act
    const value = requireEnv('REBOUND_TEST_VARIABLE');

    // Assess
    expect(value).toBe('value');
  });

  it.each([
    ['unset', undefined, 'not set'],
    ['empty', '', 'empty'],
    ['blank', '   ', 'empty'],
  ])('requireEnv throws a clear error when the variable is %s', (_label, value, what) => {
    // Prepare
    vi.stubEnv('REBOUND_TEST_VARIABLE', value);

    // Act
    const act = () => requireEnv('REBOUND_TEST_VARIABLE');

    // Assess
    expect(act).toThrow(
      `Missing required environment variable REBOUND_TEST_VARIABLE: it is ${what}.`,
    );
  });

  it('the handler module refuses to load without ALERTS_TOPIC_ARN', async () => {
    // Prepare
    vi.resetModules();
    vi.stubEnv('ALERTS_TOPIC_ARN', undefined);

    // Act
    const loading = import('../../functions/alarm-notifier.js');

    // Assess
    await expect(loading).rejects.toThrow(
      'Missing required environment variable ALERTS_TOPIC_ARN: it is not set.',
    );
    vi.resetModules();
  });
});
