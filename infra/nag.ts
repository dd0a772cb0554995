import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding (`AwsSolutions-RDS11`, `Serverless-…`, or a granular
 * `AwsSolutions-IAM5[Resource::*]`) on a construct and everything below it. The reason must
 * say why the finding does not apply or is accepted here; it ends up in the cloud assembly.
 */
export function acknowledgeFinding(scope: IConstruct, finding: string, reason: string): void {
  const pack = finding.slice(0, finding.indexOf('-'));
  if (pack !== 'AwsSolutions' && pack !== 'Serverless') {
    throw new Error(`acknowledgeFinding: ${finding} is not an AwsSolutions or Serverless finding`);
  }
  Validations.of(scope).acknowledge({ id: `${pack}::${finding}`, reason });
}
