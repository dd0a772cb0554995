import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  GUARDRAIL_READ_FAILURES,
  guardrailsUnreadableAlarmName,
} from '../../functions/lib/aws/guardrail-read-failures.js';
import {
  GUARDRAIL_MEANINGS,
  type GuardrailParameter,
  type Guardrails,
  guardrailParameterPath,
  guardrailParameterValues,
  guardrailsReadPath,
} from '../../functions/lib/core/guardrails.js';

/** Where a stage's guardrails are, and the grant to read them the way loadGuardrails does. */
export interface IGuardrailParameters {
  /** `/rebound/<stage>/guardrails/` (with the trailing slash). */
  readonly path: string;
  /**
   * One GetParametersByPath on exactly the path the functions send (`guardrailsReadPath`),
   * nothing else in Parameter Store.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

abstract class GuardrailParametersBase extends Construct implements IGuardrailParameters {
  public abstract readonly path: string;

  grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetParametersByPath'],
      resourceArns: [
        Stack.of(this).formatArn({
          service: 'ssm',
          resource: 'parameter',
          resourceName: guardrailsReadPath(this.path).replace(/^\//, ''),
        }),
      ],
    });
  }
}

export interface GuardrailParametersProps {
  readonly stage: string;
  readonly guardrails: Guardrails;
  /** Where the alarm on failed guardrail reads publishes. */
  readonly alertsTopic: sns.ITopic;
}

/**
 * The guardrails as SSM parameters under `/rebound/<stage>/guardrails/`. People change them
 * with `aws ssm put-parameter --overwrite` without a deploy; CloudFormation only rewrites one
 * when its value in the config changes.
 */
export class GuardrailParameters extends GuardrailParametersBase {
  /** A stage's guardrails deployed elsewhere (a stack of their own, a test), to grant reads. */
  static fromStage(scope: Construct, id: string, stage: string): IGuardrailParameters {
    return new (class extends GuardrailParametersBase {
      public readonly path = guardrailParameterPath(stage);
    })(scope, id);
  }

  public readonly path: string;
  public readonly parameters: ssm.StringParameter[] = [];
  /** `rebound-<stage>-guardrails-unreadable`: a function could not read the guardrails. */
  public readonly readFailureAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: GuardrailParametersProps) {
    super(scope, id);
    this.path = guardrailParameterPath(props.stage);
    const values = guardrailParameterValues(props.guardrails);
    for (const [name, value] of Object.entries(values)) {
      this.parameters.push(
        new ssm.StringParameter(this, name, {
          parameterName: `${this.path}${name}`,
          stringValue: value,
          description: `Rebound guardrail: ${GUARDRAIL_MEANINGS[name as GuardrailParameter] ?? name}`,
        }),
      );
    }

    // Straight to the alerts topic, like triage's own alarms: triage may be the one that
    // cannot read them.
    this.readFailureAlarm = new cloudwatch.Alarm(this, 'ReadFailureAlarm', {
      alarmName: guardrailsUnreadableAlarmName(props.stage),
      alarmDescription: `[warning] A function or a runbook's state machine could not read the guardrails under ${this.path} (GetParametersByPath or GetParameters failed): it took the safe side (dry-run, no runbook enabled) and nothing will be remediated until the read works again.`,
      metric: new cloudwatch.Metric({
        namespace: GUARDRAIL_READ_FAILURES.namespace,
        metricName: GUARDRAIL_READ_FAILURES.metricName,
        dimensionsMap: { [GUARDRAIL_READ_FAILURES.dimension]: guardrailsReadPath(this.path) },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.readFailureAlarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alertsTopic));
  }
}
