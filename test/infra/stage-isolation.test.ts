import { describe, expect, it } from 'vitest';
import { classify } from '../../functions/lib/core/classify.js';
import { parseIncomingEvent } from '../../functions/lib/events/index.js';
import { buildReboundApp } from '../../infra/rebound-app.js';
import { synthesizeIntake } from '../../sandbox/synthesized-intake.js';

/**
 * Two stages in one account: `dev` and `devalice` (`dev-alice` is refused, config.test.ts).
 * Every wildcard one stage's templates hold (IAM statement resources and conditions of every
 * policy document, prefixes and wildcards of every rule pattern) must match no name of the
 * other stage, and each stage's triage core ignores the other's alarms.
 */

const STAGES = ['dev', 'devalice'] as const;
type Stage = (typeof STAGES)[number];

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * A template value as a string once deployed: joins joined, pseudo parameters filled in, any
 * other reference a placeholder that names no resource.
 */
const rendered = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  const record = value as Record<string, unknown>;
  if (Array.isArray(record['Fn::Join'])) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(rendered).join(separator);
  }
  if (typeof record.Ref === 'string') return PSEUDO[record.Ref] ?? '<ref>';
  return '<token>';
};

/** Every string leaf of a template, rendered. */
const stringsOf = (value: unknown, into: string[] = []): string[] => {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, into);
  else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if ('Fn::Join' in record) into.push(rendered(record));
    else for (const item of Object.values(record)) stringsOf(item, into);
  }
  return into;
};

/** Every policy statement of a template (IAM policies, key, topic and queue policies…). */
const statementsOf = (value: unknown, into: Record<string, unknown>[] = []) => {
  if (Array.isArray(value)) for (const item of value) statementsOf(item, into);
  else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.Statement))
      into.push(...(record.Statement as Record<string, unknown>[]));
    for (const item of Object.values(record)) statementsOf(item, into);
  }
  return into;
};

/** Wildcard patterns (`*`, `?`) of IAM resources and condition values. */
const iamWildcards = (template: unknown): string[] =>
  statementsOf(template)
    .flatMap((statement) => [
      ...[statement.Resource ?? []].flat().map(rendered),
      ...stringsOf(statement.Condition ?? {}),
    ])
    .filter((pattern) => /[*?]/.test(pattern));

/** Prefix and wildcard matchers of every rule pattern, as `*` wildcards. */
const ruleWildcards = (template: Template): string[] => {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      if (record.prefix !== undefined) found.push(`${rendered(record.prefix)}*`);
      if (typeof record.wildcard === 'string') found.push(record.wildcard);
      for (const item of Object.values(record)) walk(item);
    }
  };
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type === 'AWS::Events::Rule') walk(resource.Properties?.EventPattern);
  }
  return found;
};

/**
 * The names a template gives: every string from `rebound-<stage>` or `/rebound/<stage>` on (an
 * ARN's resource part, a bare name, an SSM path).
 */
const namesOf = (template: Template, stage: Stage): string[] =>
  stringsOf(template).flatMap((text) =>
    [...text.matchAll(new RegExp(`/?rebound[-/]${stage}[-/:][^"\\s,]*`, 'g'))].map(
      (match) => match[0],
    ),
  );

/** The part of a pattern from its first `rebound` on, as a regular expression. */
const nameMatcher = (pattern: string): RegExp | undefined => {
  const start = pattern.search(/\/?rebound[-/]/);
  if (start < 0) return undefined;
  const escaped = pattern
    .slice(start)
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${escaped}$`);
};

interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const templatesOf = (stage: Stage): Template[] => {
  const { app, shop, controlPlane } = buildReboundApp({
    context: { stage, 'aws:cdk:bundling-stacks': [] },
  });
  const assembly = app.synth();
  return [shop, controlPlane].map(
    (stack) => assembly.getStackByName(stack.stackName).template as Template,
  );
};

describe('two stages side by side: dev and devalice', () => {
  const templates = Object.fromEntries(
    STAGES.map((stage) => [stage, templatesOf(stage)]),
  ) as Record<Stage, Template[]>;

  it.each([
    ['dev', 'devalice'],
    ['devalice', 'dev'],
  ] as const)(
    'no IAM scope, condition or rule pattern of %s matches a name of %s',
    (own, other) => {
      // Prepare
      const wildcards = templates[own].flatMap((template) => [
        ...iamWildcards(template),
        ...ruleWildcards(template),
      ]);
      const otherNames = templates[other].flatMap((template) => namesOf(template, other));

      // Act
      const scoped = wildcards.filter(
        (pattern) => pattern.includes(`rebound-${own}`) || pattern.includes(`rebound/${own}`),
      );
      const collisions = scoped.flatMap((pattern) => {
        const matcher = nameMatcher(pattern);
        return matcher === undefined
          ? []
          : otherNames.filter((name) => matcher.test(name)).map((name) => `${pattern} ~ ${name}`);
      });

      // Assess: the stage's own scopes exist (the check has teeth) and take nothing of the other.
      expect(scoped.length).toBeGreaterThan(5);
      expect(otherNames.length).toBeGreaterThan(50);
      expect(collisions).toEqual([]);
    },
  );

  it("each stage's triage core ignores the other stage's alarms", () => {
    // Prepare
    const intakes = Object.fromEntries(
      STAGES.map((stage) => [stage, synthesizeIntake({ assumeOwned: false, context: { stage } })]),
    ) as Record<Stage, ReturnType<typeof synthesizeIntake>>;
    const alarmOf = (stage: Stage, alarmName: string) => {
      const parsed = parseIncomingEvent({
        version: '0',
        id: `alarm-${stage}`,
        'detail-type': 'CloudWatch Alarm State Change',
        source: 'aws.cloudwatch',
        account: '123456789012',
        time: '2026-12-07T12:00:00Z',
        region: 'us-east-1',
        resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`],
        detail: {
          alarmName,
          state: { value: 'ALARM', timestamp: '2026-12-07T12:00:00Z' },
          previousState: { value: 'OK', timestamp: '2026-12-07T11:00:00Z' },
          configuration: {
            description: '[critical] CPU',
            metrics: [
              {
                id: 'm1',
                metricStat: {
                  metric: {
                    namespace: 'AWS/EC2',
                    name: 'CPUUtilization',
                    dimensions: { AutoScalingGroupName: `rebound-${stage}-web` },
                  },
                  period: 60,
                  stat: 'Average',
                },
                returnData: true,
              },
            ],
          },
        },
      });
      if (!parsed.ok || parsed.events[0] === undefined) throw new Error('alarm must parse');
      return parsed.events[0];
    };

    // Act / Assess: each takes its own alarm, neither takes the other's.
    for (const [own, other] of [
      ['dev', 'devalice'],
      ['devalice', 'dev'],
    ] as const) {
      const { inventory } = intakes[own];
      expect(classify(alarmOf(own, `rebound-${own}-web-cpu-high`), inventory)).not.toBeNull();
      for (const name of intakes[other].shopAlarmNames) {
        expect(classify(alarmOf(other, name), inventory)).toBeNull();
      }
    }
  });
});
