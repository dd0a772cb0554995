import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface Acknowledgement {
  /** Qualified rule id, e.g. `AwsSolutions::AwsSolutions-RDS11`. */
  readonly rule: string;
  readonly path: string;
  readonly reason: string;
}

/** Every validation finding acknowledged in the construct tree below `root`, with its reason. */
export function listAcknowledgements(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ rule, path: construct.node.path, reason });
      }
    }
  }
  return found;
}
