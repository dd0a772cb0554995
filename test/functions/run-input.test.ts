import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { RUNBOOKS, type RunbookName } from '../../functions/lib/core/runbook-registry.js';
import { InvalidInputError } from '../../functions/lib/runbook/invalid-input.js';
import {
  deployedProblems,
  inputShapeOf,
  requireDeployed,
  shapeProblems,
} from '../../functions/lib/runbook/run-input.js';

const row = (name: RunbookName) => {
  const runbook = RUNBOOKS.find((candidate) => candidate.name === name);
  if (runbook === undefined) throw new Error(`${name} is not in the registry`);
  return runbook;
};

describe('shapeProblems (what npm run runbook checks offline)', () => {
  it.each([
    ['a missing required field', 'replace-unhealthy-instance', {}, 'instanceId', /^is missing/],
    [
      'an instance id of the wrong form',
      'replace-unhealthy-instance',
      { instanceId: 'web-1' },
      'instanceId',
      /^must be an EC2 instance id such as i-0123456789abcdef0$/,
    ],
    [
      'an unknown mode',
      'cache-failover',
      { replicationGroupId: 'g', mode: 'reboot' },
      'mode',
      /^must be one of follow, force$/,
    ],
    [
      'a replica without promote-replica',
      'rds-failover',
      { dbInstanceId: 'db', mode: 'force', replicaId: 'r' },
      'replicaId',
      /^is required with mode promote-replica, and only then/,
    ],
    [
      'promote-replica without a replica',
      'rds-failover',
      { dbInstanceId: 'db', mode: 'promote-replica' },
      'replicaId',
      /^is missing/,
    ],
    [
      'a number where text belongs',
      'scale-out',
      { autoScalingGroupName: 7 },
      'autoScalingGroupName',
      /^must be a non-empty string, got 7$/,
    ],
    [
      'a malformed incident id',
      'az-evacuation',
      { availabilityZone: 'us-east-1a', incidentId: 'INC 1' },
      'incidentId',
      /^must be an incident id/,
    ],
  ] as const)('names %s', (_case, runbook, input, field, problem) => {
    // Act
    const problems = shapeProblems(row(runbook), input);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]?.[0]).toBe(field);
    expect(problems[0]?.[1]).toMatch(problem);
  });

  it('finds nothing wrong with each runbook example', async () => {
    for (const runbook of RUNBOOKS) {
      // Prepare
      const { default: example } = await import(`../../runbooks/${runbook.name}/example.json`, {
        with: { type: 'json' },
      });

      // Act
      const problems = shapeProblems(runbook, example);

      // Assess
      expect(problems, runbook.name).toEqual([]);
    }
  });
});

describe('deployedProblems and requireDeployed (defence in depth in the step Lambdas)', () => {
  it("names a target that is not this deploy's", () => {
    // Act
    const problems = deployedProblems(
      row('scale-out'),
      { autoScalingGroupName: 'someone-else' },
      { 'web-group': ['rebound-prod-web'] },
    );

    // Assess
    expect(problems).toEqual([
      "input.autoScalingGroupName must be the shop's web group rebound-prod-web, not someone-else",
    ]);
  });

  it('lists the allowed values when there are several', () => {
    // Act
    const run = () =>
      requireDeployed(
        'az-evacuation',
        { availabilityZone: 'us-east-1d' },
        { 'availability-zone': ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
      );

    // Assess
    expect(run).toThrow(
      new InvalidInputError(
        "input.availabilityZone must be one of the shop's Availability Zones: us-east-1a, us-east-1b, us-east-1c, not us-east-1d",
      ),
    );
  });

  it('accepts a valid input', () => {
    // Act
    const problems = deployedProblems(
      row('rds-failover'),
      {
        dbInstanceId: 'rebound-prod-db',
        mode: 'promote-replica',
        replicaId: 'rebound-prod-db-replica-1',
      },
      { 'primary-db': ['rebound-prod-db'], 'db-replica': ['rebound-prod-db-replica-1'] },
    );

    // Assess
    expect(problems).toEqual([]);
  });
});

describe('inputShapeOf (the step Lambdas parse)', () => {
  it('parses the registry fields, optional where the registry says so', () => {
    // Prepare
    const schema = z.object(inputShapeOf('rds-failover'));

    // Act
    const parsed = schema.safeParse({ dbInstanceId: 'rebound-prod-db', mode: 'follow' });
    const wrong = schema.safeParse({ dbInstanceId: 'rebound-prod-db', mode: 'reboot' });

    // Assess
    expect(parsed.success).toBe(true);
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.message).toBe(
      'input.mode must be one of follow, force, promote-replica',
    );
  });
});
