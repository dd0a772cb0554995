import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  GUARDRAIL_MEANINGS,
  type GuardrailParameter,
  type Guardrails,
  guardrailParameterPath,
  guardrailParameterValues,
} from '../../functions/lib/core/guardrails.js';

export interface GuardrailParametersProps {
  readonly stage: string;
  readonly guardrails: Guardrails;
}

/**
 * The guardrails as SSM parameters under `/rebound/<stage>/guardrails/`. People change them
 * with `aws ssm put-parameter --overwrite` without a deploy; CloudFormation only rewrites one
 * when its value in the config changes.
 */
export class GuardrailParameters extends Construct {
  /** `/rebound/<stage>/guardrails/` (with the trailing slash). */
  public readonly path: string;
  public readonly parameters: ssm.StringParameter[] = [];

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
  }
}

/**
 * Lets `fn` read the guardrails the way loadGuardrails does: one GetParametersByPath on the
 * guardrails path, nothing else in Parameter Store.
 */
export const grantReadGuardrails = (fn: lambda.IFunction, path: string): void => {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ssm:GetParametersByPath'],
      resources: [
        Stack.of(fn).formatArn({
          service: 'ssm',
          resource: 'parameter',
          resourceName: path.replace(/^\/|\/$/g, ''),
        }),
      ],
    }),
  );
};
