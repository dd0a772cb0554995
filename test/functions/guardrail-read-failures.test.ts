import { describe, expect, it } from 'vitest';
import {
  emitGuardrailReadFailure,
  GUARDRAIL_READ_FAILURES,
} from '../../functions/lib/aws/guardrail-read-failures.js';

// The embedded metric format record a failed guardrail read writes, checked against the EMF
// specification: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html

describe('GuardrailReadFailures metric', () => {
  it('writes one EMF line that CloudWatch turns into a count for the path', () => {
    // Prepare
    const lines: string[] = [];
    const at = new Date('2025-01-01T12:00:00Z');

    // Act
    emitGuardrailReadFailure('/rebound/prod/guardrails', (line) => lines.push(line), at);

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(lines[0]?.trim()).not.toContain('\n');
    const record = JSON.parse(lines[0] ?? '');
    // The root node's _aws metadata: a Timestamp in ms and one metric directive...
    expect(record._aws).toEqual({
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: 'Rebound',
          Dimensions: [['GuardrailsPath']],
          Metrics: [{ Name: 'GuardrailReadFailures', Unit: 'Count' }],
        },
      ],
    });
    // ...whose dimension and metric are members of the root node, with their values.
    expect(record.GuardrailsPath).toBe('/rebound/prod/guardrails');
    expect(record.GuardrailReadFailures).toBe(1);
    expect(GUARDRAIL_READ_FAILURES).toEqual({
      namespace: 'Rebound',
      metricName: 'GuardrailReadFailures',
      dimension: 'GuardrailsPath',
    });
  });
});
