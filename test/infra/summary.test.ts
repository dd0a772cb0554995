import { describe, expect, it } from 'vitest';
import { formatSummary, summarizeStack } from '../../infra/summary.js';

const template = {
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function' },
    AlarmA: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { AlarmName: 'rebound-dev-b', AlarmDescription: '[critical] down' },
    },
    AlarmB: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'rebound-dev-a' } },
    Rule: {
      Type: 'AWS::Events::Rule',
      Properties: { Name: 'rebound-dev-rule', Targets: [{ Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }] },
    },
  },
};

describe('summarizeStack', () => {
  it('counts resources by type, most first, and reads alarm severities and rule targets', () => {
    // Act
    const summary = summarizeStack('shop', template);

    // Assess
    expect(summary.resourceCounts).toEqual([
      ['AWS::CloudWatch::Alarm', 2],
      ['AWS::Events::Rule', 1],
      ['AWS::Lambda::Function', 1],
    ]);
    expect(summary.alarms).toEqual([
      { name: 'rebound-dev-a', severity: 'unspecified' },
      { name: 'rebound-dev-b', severity: 'critical' },
    ]);
    expect(summary.rules).toEqual([{ name: 'rebound-dev-rule', targets: ['Fn'] }]);
  });

  it('formats one block per stack with totals, alarms and wiring', () => {
    // Act
    const text = formatSummary([summarizeStack('shop', template)]).split('\n');

    // Assess
    expect(text[0]).toBe('shop: 4 resources');
    expect(text).toContain('    critical  rebound-dev-b');
    expect(text).toContain('    rebound-dev-rule -> Fn');
  });
});
