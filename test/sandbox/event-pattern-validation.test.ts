import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  EventPatternError,
  type MatchOptions,
  matchesEventPattern,
} from '../../sandbox/event-pattern.js';

// Syntax rules: the EventBridge user guide
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html and
// eb-create-pattern-operators.html) and, where it is silent, the checks of aws/event-ruler's
// JsonRuleCompiler (https://github.com/aws/event-ruler).
describe('invalid patterns throw EventPatternError naming the bad path', () => {
  it.each([
    ['a string', 'source', '(root)'],
    ['an array', [{ source: ['aws.ec2'] }], '(root)'],
    ['an empty pattern', {}, '(root)'],
    ['a field holding a string', { source: 'aws.ec2' }, 'source'],
    ['a nested field holding a number', { detail: { 'risk-score': 80 } }, 'detail.risk-score'],
    ['an empty array', { source: [] }, 'source'],
    ['an empty object', { detail: {} }, 'detail'],
    ['an array inside the match values', { source: [['aws.ec2']] }, 'source[0]'],
    ['an operator object with two keys', { a: [{ prefix: 'x', suffix: 'y' }] }, 'a[0]'],
    ['an unknown operator', { a: [{ contains: 'x' }] }, 'a[0]'],
    ['a non-string prefix', { a: [{ prefix: 5 }] }, 'a[0].prefix'],
    ['prefix with another nested operator', { a: [{ prefix: { wildcard: 'x' } }] }, 'a[0].prefix'],
    [
      'a non-string suffix ignoring case',
      { a: [{ suffix: { 'equals-ignore-case': 1 } }] },
      'a[0].suffix.equals-ignore-case',
    ],
    [
      'a non-string equals-ignore-case',
      { a: [{ 'equals-ignore-case': ['x'] }] },
      'a[0].equals-ignore-case',
    ],
    ['consecutive wildcards', { a: [{ wildcard: 'a**b' }] }, 'a[0].wildcard'],
    ['a backslash escaping a letter', { a: [{ wildcard: 'a\\b' }] }, 'a[0].wildcard'],
    ['a trailing backslash', { a: [{ wildcard: 'a\\' }] }, 'a[0].wildcard'],
    ['exists with a string', { a: [{ exists: 'true' }] }, 'a[0].exists'],
    ['numeric that is no array', { a: [{ numeric: 5 }] }, 'a[0].numeric'],
    ['numeric with a string bound', { a: [{ numeric: ['>', '5'] }] }, 'a[0].numeric'],
    ['numeric with two lower bounds', { a: [{ numeric: ['>', 0, '>', 5] }] }, 'a[0].numeric'],
    ['numeric with the upper bound first', { a: [{ numeric: ['<', 5, '>', 0] }] }, 'a[0].numeric'],
    ['numeric = in a range', { a: [{ numeric: ['=', 1, '<', 2] }] }, 'a[0].numeric'],
    ['numeric with an unknown operator', { a: [{ numeric: ['!=', 1] }] }, 'a[0].numeric'],
    ['an empty numeric range', { a: [{ numeric: ['>', 10, '<', 5] }] }, 'a[0].numeric'],
    ['anything-but with a mixed list', { a: [{ 'anything-but': ['a', 1] }] }, 'a[0].anything-but'],
    ['anything-but with an empty list', { a: [{ 'anything-but': [] }] }, 'a[0].anything-but'],
    ['anything-but null', { a: [{ 'anything-but': null }] }, 'a[0].anything-but'],
    ['anything-but true', { a: [{ 'anything-but': [true] }] }, 'a[0].anything-but'],
    [
      'anything-but an empty prefix',
      { a: [{ 'anything-but': { prefix: '' } }] },
      'a[0].anything-but.prefix',
    ],
    [
      'anything-but numeric',
      { a: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'a[0].anything-but',
    ],
    [
      'anything-but with a bad wildcard',
      { a: [{ 'anything-but': { wildcard: ['ok*', 'a**'] } }] },
      'a[0].anything-but.wildcard',
    ],
    ['a cidr without prefix length', { a: [{ cidr: '10.0.0.0' }] }, 'a[0].cidr'],
    ['a cidr prefix too long', { a: [{ cidr: '10.0.0.0/33' }] }, 'a[0].cidr'],
    ['an IPv6 cidr prefix too long', { a: [{ cidr: '2001:db8::/129' }] }, 'a[0].cidr'],
    ['a cidr that is no address', { a: [{ cidr: 'host/8' }] }, 'a[0].cidr'],
    ['$or holding an object', { $or: { a: ['x'] } }, '$or'],
    ['$or with one branch', { $or: [{ a: ['x'] }] }, '$or'],
    ['$or holding a string', { $or: [{ a: ['x'] }, 'b'] }, '$or[1]'],
    [
      'an operator name as a field inside $or',
      { $or: [{ prefix: ['x'] }, { b: ['y'] }] },
      '$or[0].prefix',
    ],
    [
      'a deep error inside $or',
      { detail: { $or: [{ a: ['x'] }, { b: { c: 1 } }] } },
      'detail.$or[1].b.c',
    ],
    [
      'an intrinsic standing for a whole list',
      { resources: { 'Fn::GetAtt': ['Asg', 'Arn'] } },
      'resources',
    ],
  ])('%s', (_name, pattern, path) => {
    // Act
    const compile = () => compileEventPattern(pattern);
    // Assess
    expect(compile).toThrow(EventPatternError);
    expect(compile).toThrow(`Invalid event pattern at ${path}:`);
  });

  it('names the error class and validates before any event is seen', () => {
    // Prepare
    let caught: unknown;
    // Act
    try {
      compileEventPattern({ source: ['aws.ec2'], detail: { state: 'running' } });
    } catch (error) {
      caught = error;
    }
    // Assess
    expect(caught).toBeInstanceOf(Error);
    expect(caught).toMatchObject({ name: 'EventPatternError' });
  });

  it('accepts a field literally named like an operator outside $or', () => {
    // Act
    const result = matchesEventPattern(
      { detail: { prefix: ['abc'] } },
      { detail: { prefix: 'abc' } },
    );
    // Assess
    expect(result).toBe(true);
  });

  it('does not read inherited properties of the event', () => {
    // Act
    const result = matchesEventPattern({ constructor: [{ exists: true }] }, {});
    // Assess
    expect(result).toBe(false);
  });
});

describe('CloudFormation intrinsics in synthesized patterns', () => {
  const assumeOwned: MatchOptions = { intrinsics: 'match-anything' };
  const asgPattern = { detail: { AutoScalingGroupName: [{ Ref: 'Asg' }] } };
  const event = { detail: { AutoScalingGroupName: 'rebound-web-asg-1' } };

  it.each([
    ['by default', undefined, false],
    ["with 'match-nothing'", { intrinsics: 'match-nothing' } as const, false],
    ["with 'match-anything'", assumeOwned, true],
  ])('a Ref match value %s', (_name, options, expected) => {
    // Act
    const result = matchesEventPattern(asgPattern, event, options);
    // Assess
    expect(result).toBe(expected);
  });

  it("'match-anything' still needs the field to hold a value", () => {
    // Act
    const result = matchesEventPattern(asgPattern, { detail: {} }, assumeOwned);
    // Assess
    expect(result).toBe(false);
  });

  it('a literal next to an intrinsic still matches by default', () => {
    // Prepare
    const pattern = {
      detail: { AutoScalingGroupName: ['web', { 'Fn::GetAtt': ['Asg', 'Name'] }] },
    };
    // Act
    const matches = compileEventPattern(pattern);
    // Assess
    expect([matches({ detail: { AutoScalingGroupName: 'web' } }), matches(event)]).toEqual([
      true,
      false,
    ]);
  });

  const join = { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-web']] };
  it.each([
    ['prefix', { prefix: join }],
    ['prefix ignoring case', { prefix: { 'equals-ignore-case': join } }],
    ['suffix', { suffix: { Ref: 'Suffix' } }],
    ['equals-ignore-case', { 'equals-ignore-case': { 'Fn::GetAtt': ['Asg', 'Name'] } }],
    ['wildcard', { wildcard: { 'Fn::ImportValue': 'WebAsgNamePattern' } }],
    ['cidr', { cidr: { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] } }],
    ['anything-but', { 'anything-but': { Ref: 'Asg' } }],
    ['anything-but list', { 'anything-but': ['other', { Ref: 'Asg' }] }],
    ['anything-but prefix', { 'anything-but': { prefix: join } }],
    ['anything-but wildcard list', { 'anything-but': { wildcard: ['*x', { Ref: 'Asg' }] } }],
  ])('an intrinsic %s operand follows the option', (_name, operator) => {
    // Prepare
    const pattern = { detail: { AutoScalingGroupName: [operator] } };
    // Act
    const results = [
      matchesEventPattern(pattern, event),
      matchesEventPattern(pattern, event, assumeOwned),
    ];
    // Assess
    expect(results).toEqual([false, true]);
  });

  it('an object with Ref and another key is no intrinsic but an unknown operator', () => {
    // Act
    const compile = () => compileEventPattern({ a: [{ Ref: 'Asg', Other: 1 }] }, assumeOwned);
    // Assess
    expect(compile).toThrow(EventPatternError);
  });
});
