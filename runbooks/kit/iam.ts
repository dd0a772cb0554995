import { Stack } from 'aws-cdk-lib';
// cdk-nag's own flattening, so the finding id below is exactly the one cdk-nag reports.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import { acknowledgeFinding } from '../../infra/nag.js';

/** Why an Auto Scaling group's ARN in a policy has a wildcard (cdk-nag IAM5). */
export const GROUP_ARN_REASON =
  "A group's ARN carries its UUID, which CloudFormation does not expose: the ARN names the group by name with * for the UUID, so the grant reaches only the web group.";

/**
 * Acknowledges cdk-nag's IAM5 finding for one resource ARN with a wildcard in it (a group
 * ARN's `*` UUID, a function's `:*` versions). The finding id embeds the ARN as synthesized,
 * and an ARN from another stack only becomes its `Fn::ImportValue` once cross-stack references
 * are resolved: the acknowledgement is recorded then, from a construct validation, which runs
 * after that and before cdk-nag.
 */
export function acknowledgeWildcardResource(scope: IConstruct, arn: string, reason: string): void {
  scope.node.addValidation({
    validate: () => {
      const resource = flattenCfnReference(Stack.of(scope).resolve(arn));
      acknowledgeFinding(scope, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
      return [];
    },
  });
}
