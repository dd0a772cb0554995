import type { AlarmNotification, AlarmStateValue, MetricDataQuery } from './alarm-event.js';
import type { Severity } from './severity.js';
import {
  collapseWhitespace,
  SMS_SEGMENT_LENGTH,
  toGsm7,
  toGsmSegment,
  transliterate,
  truncateEnd,
  truncateMiddle,
} from './sms.js';

/**
 * Renders a CloudWatch alarm state change into the texts of one SNS message: an email/default
 * body for a tired human at 3 am, a one-segment SMS and an SNS-safe subject. Pure.
 */

/** SNS rejects subjects of 100 characters or more ("less than 100 characters long"). */
export const SNS_SUBJECT_MAX_LENGTH = 99;

export interface RenderedAlarmMessage {
  /** Printable ASCII, one line, at most {@link SNS_SUBJECT_MAX_LENGTH} characters. */
  readonly subject: string;
  /** Multi-line plain text for the `default` and `email` protocols. */
  readonly email: string;
  /** GSM 03.38 basic characters, one line, at most 140 characters. */
  readonly sms: string;
  /**
   * Severity to announce (the `severity` message attribute): the rule's severity for ALARM and
   * for OK after ALARM; `warning` for INSUFFICIENT_DATA and for OK after anything but ALARM
   * (new alarms go INSUFFICIENT_DATA -> OK on every deploy: nobody should be texted for that).
   */
  readonly severity: Severity;
}

const STATE_WORD: Readonly<Record<AlarmStateValue, string>> = {
  ALARM: 'ALARM',
  OK: 'OK',
  INSUFFICIENT_DATA: 'NO DATA',
};

const MAX_METRIC_LINES = 10;
const MAX_FIELD_LENGTH = 2000;

const isPrintableAscii = (character: string): boolean => {
  const code = character.codePointAt(0) ?? 0;
  return character.length === 1 && code >= 0x20 && code <= 0x7e;
};

/** Printable ASCII, one line, at most `max` (default 99) characters: safe as an SNS Subject. */
export const toSnsSubject = (text: string, max = SNS_SUBJECT_MAX_LENGTH): string =>
  truncateEnd(collapseWhitespace(transliterate(text, isPrintableAscii)), max);

/** Console deep link to the alarm (its detail page in the CloudWatch alarms view). */
export const alarmConsoleUrl = (region: string, alarmName: string): string =>
  `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}` +
  `#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;

/** Severity to announce; see {@link RenderedAlarmMessage.severity}. */
export const announcedSeverity = (notification: AlarmNotification): Severity => {
  const { state, previousState } = notification.event.detail;
  if (state.value === 'ALARM') return notification.severity;
  if (state.value === 'OK' && previousState?.value === 'ALARM') return notification.severity;
  return 'warning';
};

/** One line, no control characters, bounded length: for values printed in the email. */
const field = (value: string, max = MAX_FIELD_LENGTH): string =>
  truncateEnd(collapseWhitespace(value.replace(/\p{Cc}/gu, ' ')), max);

/** CloudWatch writes `2019-10-02T17:04:40.989+0000`; show `2019-10-02 17:04:40 UTC`. */
const formatTime = (timestamp: string): string => {
  const millis = Date.parse(timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(millis)) return field(timestamp, 64);
  return `${new Date(millis).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
};

const describeMetric = (query: MetricDataQuery): string | undefined => {
  if (query.metricStat !== undefined) {
    const { metric, stat, period } = query.metricStat;
    const dimensions = Object.entries(metric.dimensions ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join(', ');
    const aggregation = [stat, period === undefined ? undefined : `${period} s`]
      .filter((part) => part !== undefined)
      .join(' over ');
    return field(
      `${metric.namespace} ${metric.name}` +
        (dimensions === '' ? '' : ` [${dimensions}]`) +
        (aggregation === '' ? '' : ` (${aggregation})`),
    );
  }
  if (query.expression !== undefined) {
    const label = query.label === undefined ? '' : ` "${query.label}"`;
    return field(`${query.id ?? 'expression'} = ${query.expression}${label}`);
  }
  return undefined;
};

const describeWhatIsMeasured = (notification: AlarmNotification): string[] => {
  const configuration = notification.event.detail.configuration;
  const lines = (configuration?.metrics ?? [])
    .map(describeMetric)
    .filter((line) => line !== undefined);
  const shown = lines.slice(0, MAX_METRIC_LINES).map((line) => `  - ${line}`);
  if (lines.length > shown.length) shown.push(`  - ... and ${lines.length - shown.length} more`);
  if (configuration?.alarmRule !== undefined) {
    shown.push(`  Composite alarm rule: ${field(configuration.alarmRule)}`);
  }
  return shown.length > 0 ? shown : ['  (the event names no metric)'];
};

const headline = (notification: AlarmNotification, severity: Severity): string => {
  const { state } = notification.event.detail;
  const label = severity.toUpperCase();
  switch (state.value) {
    case 'ALARM':
      return `${label} - ALARM`;
    case 'OK':
      return 'RESOLVED - OK';
    case 'INSUFFICIENT_DATA':
      return `${label} - NO DATA (INSUFFICIENT_DATA)`;
  }
};

const summary = (notification: AlarmNotification): string => {
  const { alarmName, state, previousState } = notification.event.detail;
  const name = field(alarmName);
  const was = previousState === undefined ? '' : ` (was ${previousState.value})`;
  switch (state.value) {
    case 'ALARM':
      return `The alarm ${name} went into ALARM${was}. Something needs a look.`;
    case 'OK':
      return `The alarm ${name} is back to OK${was}. No action needed.`;
    case 'INSUFFICIENT_DATA':
      return (
        `The alarm ${name} has no data to evaluate${was}. ` +
        'Its metric stopped arriving: the resource may be stopped, gone or no longer reporting.'
      );
  }
};

const notes = (notification: AlarmNotification): string[] => {
  const { state, muteDetail } = notification.event.detail;
  const lines: string[] = [];
  if (state.actionsSuppressedBy !== undefined) {
    const why = state.actionsSuppressedReason ?? state.actionsSuppressedBy;
    lines.push(
      `Note: CloudWatch holds this composite alarm's own actions (${field(state.actionsSuppressedBy, 64)}: ` +
        `${field(why, 256)}). Rebound tells you anyway.`,
    );
  }
  if (muteDetail !== undefined) {
    const window = [muteDetail.muteWindowStart, muteDetail.muteWindowEnd]
      .filter((part) => part !== undefined)
      .map(formatTime)
      .join(' to ');
    lines.push(
      `Note: an alarm mute rule mutes this alarm's own actions` +
        (muteDetail.mutedByArn === undefined ? '' : ` (${field(muteDetail.mutedByArn, 256)})`) +
        (window === '' ? '' : `, window ${window}`) +
        '. Rebound tells you anyway.',
    );
  }
  return lines;
};

const renderEmail = (notification: AlarmNotification, severity: Severity): string => {
  const { event } = notification;
  const { alarmName, state, previousState, configuration } = event.detail;
  const alarmArn = event.resources?.[0];
  const noteLines = notes(notification);
  return [
    `${headline(notification, severity)}: ${field(alarmName)}`,
    '',
    summary(notification),
    '',
    `Alarm:        ${field(alarmName)}`,
    `New state:    ${state.value}`,
    `Previous:     ${previousState?.value ?? 'unknown'}`,
    `Severity:     ${severity}`,
    `Reason:       ${state.reason === undefined ? '(none given)' : field(state.reason)}`,
    ...(configuration?.description === undefined || configuration.description === ''
      ? []
      : [`Description:  ${field(configuration.description)}`]),
    `Time:         ${formatTime(state.timestamp ?? event.time)}`,
    ...(noteLines.length > 0 ? ['', ...noteLines] : []),
    '',
    'What is measured:',
    ...describeWhatIsMeasured(notification),
    '',
    `Region:       ${event.region}`,
    `Account:      ${event.account}`,
    ...(alarmArn === undefined ? [] : [`Alarm ARN:    ${field(alarmArn)}`]),
    '',
    'Open the alarm in the CloudWatch console:',
    alarmConsoleUrl(event.region, alarmName),
    '',
    '--',
    `Rebound alarm notifier. EventBridge event id ${field(event.id)}.`,
    '',
  ].join('\n');
};

const smsLabel = (notification: AlarmNotification, severity: Severity): string =>
  notification.event.detail.state.value === 'OK' ? 'RESOLVED' : severity.toUpperCase();

/**
 * `CRITICAL rebound-prod-alb-5xx ALARM (was OK) us-east-1`; the alarm name is the only part
 * of variable length and is shortened in the middle when the whole would exceed `max`.
 */
const renderSms = (notification: AlarmNotification, severity: Severity, max: number): string => {
  const { event } = notification;
  const { alarmName, state, previousState } = event.detail;
  const before = `${smsLabel(notification, severity)} `;
  const was = previousState === undefined ? '' : ` (was ${STATE_WORD[previousState.value]})`;
  const after = ` ${STATE_WORD[state.value]}${was} ${event.region}`;
  const name = collapseWhitespace(toGsm7(alarmName));
  const budget = Math.max(1, max - before.length - after.length);
  return toGsmSegment(before + truncateMiddle(name, budget) + after, max);
};

const renderSubject = (notification: AlarmNotification, severity: Severity): string => {
  const { alarmName, state } = notification.event.detail;
  const prefix = `[${smsLabel(notification, severity)}] ${STATE_WORD[state.value]}: `;
  const name = collapseWhitespace(transliterate(alarmName, isPrintableAscii));
  return toSnsSubject(prefix + truncateMiddle(name, SNS_SUBJECT_MAX_LENGTH - prefix.length));
};

export interface RenderOptions {
  /** SMS budget in characters. @default 140 */
  readonly smsMaxLength?: number;
}

/** Renders the subject, email/default body and SMS text for one alarm state change. */
export const renderAlarmMessage = (
  notification: AlarmNotification,
  options: RenderOptions = {},
): RenderedAlarmMessage => {
  const severity = announcedSeverity(notification);
  return {
    subject: renderSubject(notification, severity),
    email: renderEmail(notification, severity),
    sms: renderSms(notification, severity, options.smsMaxLength ?? SMS_SEGMENT_LENGTH),
    severity,
  };
};
