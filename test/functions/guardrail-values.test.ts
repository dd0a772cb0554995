import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GUARDRAILS,
  GUARDRAIL_MEANINGS,
  GUARDRAIL_PARAMETER_NAMES,
  type GuardrailParameter,
  guardrailParameterValues,
  guardrailValueProblem,
  parseGuardrails,
} from '../../functions/lib/core/guardrails.js';

/** What a person may write to a guardrail (`npm run guardrails -- set`), by the parser's rules. */

describe('guardrailValueProblem', () => {
  it.each<[GuardrailParameter, string]>([
    ['mode', 'auto'],
    ['mode', 'off'],
    ['mode', ' dry-run '],
    ['enabled-runbooks', 'replace-unhealthy-instance, scale-out'],
    ['enabled-runbooks', 'none'],
    ['auto-approved-runbooks', 'az-evacuation'],
    ['cooldown-minutes', '0'],
    ['max-scale-out-capacity', '999999'],
  ])('accepts %s = %j', (parameter, value) => {
    // Act
    const problem = guardrailValueProblem(parameter, value);

    // Assess
    expect(problem).toBeUndefined();
  });

  it.each<[GuardrailParameter, string, string]>([
    ['mode', 'yolo', 'one of off | dry-run | auto'],
    ['mode', 'Auto', 'one of off | dry-run | auto'],
    ['cooldown-minutes', '-1', 'a whole number from 0 to 999999'],
    ['cooldown-minutes', '1.5', 'a whole number from 0 to 999999'],
    ['scale-out-step', 'three', 'a whole number from 0 to 999999'],
    ['max-actions-per-hour', '1000000', 'a whole number from 0 to 999999'],
    [
      'enabled-runbooks',
      'replace-unhealthy-instance,scale-up',
      'comma-separated runbooks (replace-unhealthy-instance, scale-out, rds-failover, cache-failover, az-evacuation) or none; not runbooks: scale-up',
    ],
    [
      'auto-approved-runbooks',
      '',
      'comma-separated runbooks (replace-unhealthy-instance, scale-out, rds-failover, cache-failover, az-evacuation) or none',
    ],
    [
      'enabled-runbooks',
      'none,scale-out',
      'comma-separated runbooks (replace-unhealthy-instance, scale-out, rds-failover, cache-failover, az-evacuation) or none',
    ],
  ])('refuses %s = %j, saying what it takes', (parameter, value, allowed) => {
    // Act
    const problem = guardrailValueProblem(parameter, value);

    // Assess
    expect(problem).toBe(allowed);
  });

  it('accepts every value a fresh deploy writes, and parses it back unchanged', () => {
    // Prepare
    const values = guardrailParameterValues(DEFAULT_GUARDRAILS);

    // Act
    const problems = GUARDRAIL_PARAMETER_NAMES.map((name) =>
      guardrailValueProblem(name, values[name] ?? ''),
    );

    // Assess
    expect(problems.every((problem) => problem === undefined)).toBe(true);
    expect(parseGuardrails(values)).toEqual({ guardrails: DEFAULT_GUARDRAILS, problems: [] });
  });

  it('has a meaning for every parameter', () => {
    // Act
    const described = Object.keys(GUARDRAIL_MEANINGS).sort();

    // Assess
    expect(described).toEqual([...GUARDRAIL_PARAMETER_NAMES].sort());
  });
});
