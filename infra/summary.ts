/**
 * A short, human-readable summary of a synthesized Rebound app, read back from the
 * CloudFormation templates: stacks, resource counts by type, alarms and event wiring.
 */

export interface CfnTemplate {
  readonly Resources?: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
}

export interface StackSummary {
  readonly stackName: string;
  readonly resourceCounts: ReadonlyArray<readonly [type: string, count: number]>;
  readonly alarms: ReadonlyArray<{ readonly name: string; readonly severity: string }>;
  readonly rules: ReadonlyArray<{ readonly name: string; readonly targets: readonly string[] }>;
}

export function summarizeStack(stackName: string, template: CfnTemplate): StackSummary {
  const resources = Object.entries(template.Resources ?? {});
  const counts = new Map<string, number>();
  for (const [, resource] of resources)
    counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);

  const alarms = resources
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map(([logicalId, resource]) => ({
      name: literal(resource.Properties?.AlarmName) ?? logicalId,
      severity:
        /^\[(\w+)\]/.exec(literal(resource.Properties?.AlarmDescription) ?? '')?.[1] ??
        'unspecified',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));

  const rules = resources
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .map(([logicalId, resource]) => ({
      name: literal(resource.Properties?.Name) ?? logicalId,
      targets: ((resource.Properties?.Targets as Array<{ Arn?: unknown }> | undefined) ?? []).map(
        (target) => describeReference(target.Arn),
      ),
    }));

  return {
    stackName,
    resourceCounts: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    alarms,
    rules,
  };
}

export function formatSummary(stacks: readonly StackSummary[]): string {
  const lines: string[] = [];
  for (const stack of stacks) {
    const total = stack.resourceCounts.reduce((sum, [, count]) => sum + count, 0);
    lines.push(`${stack.stackName}: ${total} resources`);
    for (const [type, count] of stack.resourceCounts)
      lines.push(`  ${String(count).padStart(4)}  ${type}`);
    if (stack.alarms.length > 0) {
      lines.push(`  alarms (${stack.alarms.length}):`);
      for (const alarm of stack.alarms) lines.push(`    ${alarm.severity.padEnd(9)} ${alarm.name}`);
    }
    if (stack.rules.length > 0) {
      lines.push(`  event wiring (${stack.rules.length} rules):`);
      for (const rule of stack.rules)
        lines.push(`    ${rule.name} -> ${rule.targets.join(', ') || '(no target)'}`);
    }
  }
  return lines.join('\n');
}

function literal(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `{"Fn::GetAtt": ["NotifierFunction1234", "Arn"]}` → `NotifierFunction1234`. */
function describeReference(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
    const ref = (value as Record<string, unknown>).Ref;
    if (typeof ref === 'string') return ref;
  }
  return JSON.stringify(value);
}
