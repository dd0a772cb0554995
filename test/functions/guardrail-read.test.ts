import { describe, expect, it } from 'vitest';
import { guardrailParameterValues } from '../../functions/lib/core/guardrails.js';
import { guardrailsFromRead } from '../../functions/lib/runbook/guardrail-read.js';

// What a runbook step makes of the guardrails its state machine read (runbooks/kit/
// guardrail-read.ts): SSM GetParameters' `Parameters` (Name, Value: botocore ssm Parameter), or
// the Catch's { Error, Cause } — parsed as the SSM reader parses GetParametersByPath.

const PATH = '/rebound/test/guardrails/';
const GUARDRAILS = {
  mode: 'auto',
  enabledRunbooks: ['scale-out'],
  maxInstanceReplacementsPerHour: 3,
  minHealthyInstances: 2,
  cooldownMinutes: 10,
  autoApprovedRunbooks: [],
  maxActionsPerHour: 4,
  scaleOutStep: 2,
  maxScaleOutCapacity: 12,
} as const;
const parameters = Object.entries(guardrailParameterValues(GUARDRAILS)).map(([name, value]) => ({
  Name: `${PATH}${name}`,
  Type: 'String',
  Value: value,
  Version: 1,
}));

describe('guardrailsFromRead', () => {
  it('parses the parameters read, keyed by their names below the path', () => {
    // Act
    const parsed = guardrailsFromRead({ guardrailRead: { parameters } }, PATH, () => {
      throw new Error('not a failure');
    });

    // Assess
    expect(parsed).toEqual({ guardrails: GUARDRAILS, problems: [] });
  });

  it('takes a parameter SSM did not know (InvalidParameters) as missing: its safe value', () => {
    // Act
    const parsed = guardrailsFromRead(
      { guardrailRead: { parameters: parameters.filter(({ Name }) => !Name.endsWith('/mode')) } },
      PATH,
    );

    // Assess
    expect(parsed.guardrails.mode).toBe('dry-run');
    expect(parsed.problems).toEqual(['guardrail mode: missing, using dry-run']);
  });

  it('on a failed read takes the safe side, says why and reports the path', () => {
    // Prepare
    const reported: string[] = [];

    // Act
    const parsed = guardrailsFromRead(
      { guardrailRead: { Error: 'Ssm.InternalServerErrorException', Cause: 'SSM is unavailable' } },
      PATH,
      (path) => reported.push(path),
    );

    // Assess
    expect(parsed.guardrails).toMatchObject({ mode: 'dry-run', enabledRunbooks: [] });
    expect(parsed.problems[0]).toBe(
      'guardrails unreadable: Ssm.InternalServerErrorException: SSM is unavailable',
    );
    expect(reported).toEqual(['/rebound/test/guardrails']);
  });

  it('without a read in the payload takes the safe side too, never trusting an empty one', () => {
    // Prepare
    const reported: string[] = [];

    // Act
    const parsed = guardrailsFromRead({ step: 'check' }, PATH, (path) => reported.push(path));

    // Assess
    expect(parsed.guardrails.enabledRunbooks).toEqual([]);
    expect(parsed.problems[0]).toBe(
      'guardrails unreadable: the state machine passed no guardrailRead',
    );
    expect(reported).toEqual(['/rebound/test/guardrails']);
  });
});
