import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedControlPlane, synthControlPlane } from './synth-control-plane.js';
import { resourcesOf } from './synth-shop.js';

/**
 * Every control-plane function's dead-letter queue is KMS-encrypted, so Lambda can only put a
 * failed asynchronous invocation there if the function's own role may use the queue's key
 * (Lambda sends the dead letter with the execution role). `sqs:SendMessage` alone, which
 * `deadLetterQueue` adds, loses the event silently.
 */

type Intrinsic = { Ref?: string; 'Fn::GetAtt'?: [string, string] };
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const logicalIdOf = (value: unknown): string | undefined => {
  const intrinsic = value as Intrinsic;
  return intrinsic.Ref ?? intrinsic['Fn::GetAtt']?.[0];
};
const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
const resourcesOfStatement = (statement: Statement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

describe('control-plane functions and their encrypted dead-letter queues', () => {
  let synthesized: SynthesizedControlPlane;
  beforeAll(() => {
    synthesized = synthControlPlane();
  });

  it('lets every function with a dead-letter queue encrypt with that queue key', () => {
    // Prepare
    const queues = new Map(
      resourcesOf<{ KmsMasterKeyId?: unknown }>(synthesized.template, 'AWS::SQS::Queue').map(
        ({ id, props }) => [id, logicalIdOf(props.KmsMasterKeyId)],
      ),
    );
    const policies = resourcesOf<{
      Roles: unknown[];
      PolicyDocument: { Statement: Statement[] };
    }>(synthesized.template, 'AWS::IAM::Policy');
    const functions = resourcesOf<{
      FunctionName: string;
      Role: unknown;
      DeadLetterConfig?: { TargetArn: unknown };
    }>(synthesized.template, 'AWS::Lambda::Function').filter(
      ({ props }) => props.DeadLetterConfig !== undefined,
    );

    // Act
    const missing = functions.flatMap(({ props }) => {
      const queue = logicalIdOf(props.DeadLetterConfig?.TargetArn) ?? '';
      const key = queues.get(queue);
      const role = logicalIdOf(props.Role);
      const statements = policies
        .filter((policy) => policy.props.Roles.some((entry) => logicalIdOf(entry) === role))
        .flatMap((policy) => policy.props.PolicyDocument.Statement)
        .filter((statement) => statement.Effect === 'Allow');
      const allows = (action: string, resource: string | undefined) =>
        statements.some(
          (statement) =>
            actionsOf(statement).some((granted) =>
              granted.endsWith('*') ? action.startsWith(granted.slice(0, -1)) : granted === action,
            ) && resourcesOfStatement(statement).some((entry) => logicalIdOf(entry) === resource),
        );
      const needed: [string, string | undefined][] = [
        ['sqs:SendMessage', queue],
        ['kms:GenerateDataKey', key],
        ['kms:Decrypt', key],
      ];
      return needed
        .filter(([action, resource]) => !allows(action, resource))
        .map(([action]) => `${props.FunctionName}: ${action}`);
    });

    // Assess
    expect(functions.length).toBeGreaterThan(10);
    expect([...queues.values()].every((key) => key !== undefined)).toBe(true);
    expect(missing).toEqual([]);
  });
});
