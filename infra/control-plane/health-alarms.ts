import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  HEALTH_NAMESPACE,
  HEARTBEATS,
  IGNORED_EVENTS,
} from '../../functions/lib/aws/health-metrics.js';
import type { ReboundFunction } from '../constructs/rebound-function.js';

export interface HealthAlarmsProps {
  readonly namePrefix: string;
  readonly stage: string;
  /** Every alarm but the runbooks' publishes here (unfiltered email and SMS). */
  readonly opsTopic: sns.ITopic;
  /**
   * The runbooks' failed and timed-out runs email here ({@link runAlarmNamePatterns}): alarm
   * notifications carry no `severity`/`page` attributes, so the topic's SMS filter drops them.
   */
  readonly alertsTopic: sns.ITopic;
  /** Every control-plane function: errors and throttles. */
  readonly functions: readonly ReboundFunction[];
  /** Every runbook, by registry name: failed and timed-out runs. */
  readonly runbooks: Readonly<Record<string, sfn.IStateMachine>>;
  /** Every rule into triage (intake and heartbeat): targets that failed permanently. */
  readonly rules: readonly events.Rule[];
  /** The account's SNS monthly SMS spend limit, USD. */
  readonly smsSpendLimitUsd: number;
}

/**
 * The names of the runbooks' run alarms (`<namePrefix>-<runbook>-executions-failed` and
 * `-executions-timed-out`), as patterns for the alerts topic's policy (shop stack).
 */
export const runAlarmNamePatterns = (namePrefix: string): readonly string[] => [
  `${namePrefix}-*-executions-failed`,
  `${namePrefix}-*-executions-timed-out`,
];

/** Below the limit, SMS still go out: page at this share of it, before pages stop. */
const SMS_SPEND_WARNING_SHARE = 0.8;
const FIVE_MINUTES = Duration.minutes(5);

/**
 * The alarms on Rebound's own health, on the ops topic: its functions, its intake, its
 * heartbeat, its parser and the SMS budget; its runbooks' runs by email on the alerts topic. The metrics, by the AWS docs:
 * - Lambda `AWS/Lambda` `Errors`, `Throttles` {FunctionName}
 *   (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html);
 * - Step Functions `AWS/States` `ExecutionsFailed`, `ExecutionsTimedOut` {StateMachineArn}
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html);
 * - EventBridge `AWS/Events` `FailedInvocations` {RuleName}, default bus, sent only when non-zero
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html);
 * - SNS `AWS/SNS` `SMSMonthToDateSpentUSD`, no dimension, account-wide
 *   (https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html);
 * - Rebound's own `Heartbeats{Stage}` and `IgnoredEvents{Origin}` (functions/lib/aws/health-metrics.ts).
 */
export class HealthAlarms extends Construct {
  public readonly alarms: cloudwatch.Alarm[] = [];
  private readonly props: HealthAlarmsProps;

  constructor(scope: Construct, id: string, props: HealthAlarmsProps) {
    super(scope, id);
    this.props = props;
    const { namePrefix } = props;

    for (const fn of props.functions) {
      const name = fn.functionName;
      this.alarmAbove(
        `${name}-errors`,
        `[critical] ${name} failed (Lambda Errors): read its log group /aws/lambda/${name}`,
        fn.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      );
      this.alarmAbove(
        `${name}-throttles`,
        `[critical] ${name} was throttled (Lambda Throttles): its work waits or is refused`,
        fn.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      );
    }

    // Failed and timed-out runs email, never page. A run that escalates pages from its Escalate
    // step and then ends FAILED by design; one that ends without a word pages through triage
    // (Step Functions' "Execution Status Change" event, on the run's incident). ExecutionsFailed
    // counts both kinds alike (its one dimension is StateMachineArn), so a paging alarm on it
    // would page again for every escalation. These emails are the record that does not depend
    // on that event, which Step Functions sends best effort (EventBridge reference, "AWS Step
    // Functions events": https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-states.html).
    for (const [runbook, stateMachine] of Object.entries(props.runbooks)) {
      this.alarmAbove(
        `${namePrefix}-${runbook}-executions-failed`,
        `A run of the runbook ${runbook} failed: it escalated (paged from its incident) or stopped without a word (paged by triage, unless Step Functions' event was lost); open its incident and the execution in the Step Functions console`,
        stateMachine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }),
        props.alertsTopic,
      );
      this.alarmAbove(
        `${namePrefix}-${runbook}-executions-timed-out`,
        `A run of the runbook ${runbook} hit its run timeout: nothing escalated it (triage pages on Step Functions' event, unless it was lost); open the execution in the Step Functions console`,
        stateMachine.metricTimedOut({ period: FIVE_MINUTES, statistic: 'Sum' }),
        props.alertsTopic,
      );
    }

    for (const rule of props.rules) {
      const ruleName = (rule.node.defaultChild as events.CfnRule).name ?? rule.node.id;
      this.alarmAbove(
        `${ruleName}-failed-invocations`,
        `[critical] EventBridge could not deliver events of the rule ${ruleName} to triage (FailedInvocations): read the triage dead-letter queue`,
        new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName: 'FailedInvocations',
          dimensionsMap: { RuleName: ruleName },
          period: FIVE_MINUTES,
          statistic: 'Sum',
        }),
      );
    }

    const spendThreshold = props.smsSpendLimitUsd * SMS_SPEND_WARNING_SHARE;
    this.add(
      `${namePrefix}-sms-spend-near-limit`,
      `[critical] SMS spend this month reached ${spendThreshold} USD of the ${props.smsSpendLimitUsd} USD limit: SNS stops sending SMS at the limit, so pages will stop; raise the account's SMS spend limit (and -c smsSpendLimitUsd)`,
      {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/SNS',
          metricName: 'SMSMonthToDateSpentUSD',
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        threshold: spendThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );

    // Two missed heartbeats in a row (10 minutes): no data at all counts as missed.
    this.add(
      `${namePrefix}-not-hearing-events`,
      `[critical] Rebound is not hearing events: no heartbeat reached triage for 10 minutes (the rule ${namePrefix}-heartbeat, EventBridge, triage or its log); nothing is being healed`,
      {
        metric: new cloudwatch.Metric({
          namespace: HEALTH_NAMESPACE,
          metricName: HEARTBEATS.metricName,
          dimensionsMap: { [HEARTBEATS.dimension]: props.stage },
          period: FIVE_MINUTES,
          statistic: 'Sum',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );

    this.alarmAbove(
      `${namePrefix}-aws-events-rejected`,
      `[critical] Triage rejected events from an AWS source (IgnoredEvents, Origin=aws): a schema no longer matches what AWS sends, so that source is not being handled; search the triage log for "triage ignored malformed input"`,
      new cloudwatch.Metric({
        namespace: HEALTH_NAMESPACE,
        metricName: IGNORED_EVENTS.metricName,
        dimensionsMap: { [IGNORED_EVENTS.origin]: 'aws' },
        period: FIVE_MINUTES,
        statistic: 'Sum',
      }),
    );
  }

  /** An alarm as soon as one datapoint of `metric` is above zero; no data is healthy. */
  private alarmAbove(
    name: string,
    description: string,
    metric: cloudwatch.IMetric,
    topic: sns.ITopic = this.props.opsTopic,
  ): void {
    this.add(
      name,
      description,
      {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
      topic,
    );
  }

  private add(
    alarmName: string,
    description: string,
    props: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription'>,
    topic: sns.ITopic = this.props.opsTopic,
  ): void {
    const alarm = new cloudwatch.Alarm(this, alarmName, {
      ...props,
      alarmName,
      alarmDescription: `${description}.`,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
    this.alarms.push(alarm);
  }
}
