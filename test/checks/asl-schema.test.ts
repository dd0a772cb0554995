import { describe, expect, it } from 'vitest';
import { checkAslSchema } from '../../sandbox/checks/asl-schema.js';

// asl-validator on small definitions: what it catches, and the one false positive it is spared.

const GET_ITEM = 'arn:aws:states:::aws-sdk:dynamodb:getItem';

const withStates = (states: Record<string, unknown>, startAt = 'First') => ({
  StartAt: startAt,
  QueryLanguage: 'JSONPath',
  States: states,
});

describe('ASL schema check', () => {
  it('passes a valid definition', () => {
    // Prepare
    const definition = withStates({
      First: { Type: 'Task', Resource: GET_ITEM, Parameters: { TableName: 't' }, Next: 'Done' },
      Done: { Type: 'Succeed' },
    });
    // Act
    const result = checkAslSchema(definition);
    // Assess
    expect(result).toEqual({ errors: [], toleratedFilters: [] });
  });

  it.each([
    [
      'a transition to a state that does not exist',
      withStates({ First: { Type: 'Pass', Next: 'Nowhere' } }),
      /^MISSING_TRANSITION_TARGET: /,
    ],
    [
      'a Task without its Resource',
      withStates({ First: { Type: 'Task', End: true } }),
      /^SCHEMA_VALIDATION_FAILED: \/States\/First/,
    ],
    [
      'a Task resource that is no ARN',
      withStates({ First: { Type: 'Task', Resource: 'aws-sdk:dynamodb:getItem', End: true } }),
      /^SCHEMA_VALIDATION_FAILED: \/States\/First\/Resource/,
    ],
    [
      'a broken JSONPath in Parameters',
      withStates({
        First: { Type: 'Task', Resource: GET_ITEM, Parameters: { 'Key.$': '$.a[' }, End: true },
      }),
      /^SCHEMA_VALIDATION_FAILED: \/States\/First\/Parameters\/Key\.\$/,
    ],
    [
      'a state that is both terminal and not',
      withStates({ First: { Type: 'Pass', Next: 'First', End: true } }),
      /^TERMINAL_STATE_WITH_NEXT: /,
    ],
  ])('finds %s', (_case, definition, error) => {
    // Act
    const { errors } = checkAslSchema(definition);
    // Assess
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(error)]));
  });

  it('spares the JSONPath filters Step Functions evaluates and names the fields that use them', () => {
    // Prepare: a nested member compared, and two conditions joined, in ResultSelector.
    const definition = withStates({
      First: {
        Type: 'Task',
        Resource: GET_ITEM,
        Parameters: { TableName: 't' },
        ResultSelector: {
          'healthy.$': "$.Items[?(@.Health.State == 'healthy')].Id",
          'ready.$': "$.Items[?(@.State == 'InService' && @.Health == 'Healthy')].Id",
        },
        End: true,
      },
    });
    const before = structuredClone(definition);
    // Act
    const result = checkAslSchema(definition);
    // Assess
    expect(result.errors).toEqual([]);
    expect([...result.toleratedFilters].sort()).toEqual([
      '/States/First/ResultSelector/healthy.$',
      '/States/First/ResultSelector/ready.$',
    ]);
    expect(definition).toEqual(before);
  });

  it('still checks the rest of a path that holds a filter', () => {
    // Prepare: the filter is fine for Step Functions, the path around it is not.
    const definition = withStates({
      First: {
        Type: 'Task',
        Resource: GET_ITEM,
        Parameters: { TableName: 't' },
        ResultSelector: { 'healthy.$': "$.Items[?(@.Health.State == 'healthy')].[" },
        End: true,
      },
    });
    // Act
    const { errors } = checkAslSchema(definition);
    // Assess
    expect(errors).toEqual([
      expect.stringMatching(/^SCHEMA_VALIDATION_FAILED: \/States\/First\/ResultSelector\/healthy/),
    ]);
  });
});
