import { type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The cdk-nag packs Rebound runs (see rebound-app.ts). */
const NAG_PACKS = ['AwsSolutions', 'Serverless'] as const;

/**
 * Acknowledges one cdk-nag finding (`AwsSolutions-RDS11`, `Serverless-…`, or a granular
 * `AwsSolutions-IAM5[Resource::*]`) on a construct and everything below it. The reason must
 * say why the finding does not apply or is accepted here; it ends up in the cloud assembly.
 */
export function acknowledgeFinding(scope: IConstruct, finding: string, reason: string): void {
  const pack = NAG_PACKS.find((name) => finding.startsWith(`${name}-`));
  if (pack === undefined) {
    throw new Error(`acknowledgeFinding: ${finding} is not an AwsSolutions or Serverless finding`);
  }
  Validations.of(scope).acknowledge({ id: `${pack}::${finding}`, reason });
}

/** A resource as cdk-nag names it: pseudo parameters as `<AWS::Region>`, literals as they are. */
export function nagResourceName(stack: Stack, resource: string): string {
  const resolved: unknown = stack.resolve(resource);
  if (typeof resolved === 'string') return resolved;
  const [separator, parts] = (resolved as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts
    .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
    .join(separator);
}

export interface NagAcknowledgement {
  /** The finding, e.g. `AwsSolutions-RDS11` or `AwsSolutions-IAM5[Resource::*]`. */
  readonly finding: string;
  readonly path: string;
  readonly reason: string;
}

/**
 * Every cdk-nag finding acknowledged below `root`, with its reason, read back from the
 * construct metadata (aws-cdk-lib's own CloudFormation-Validate acknowledgements left out).
 */
export function listNagAcknowledgements(root: IConstruct): NagAcknowledgement[] {
  const found: NagAcknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const [pack, finding] = id.split(/::(.*)/s);
        if (finding === undefined || !NAG_PACKS.some((name) => name === pack)) continue;
        found.push({ finding, path: construct.node.path, reason });
      }
    }
  }
  return found;
}
