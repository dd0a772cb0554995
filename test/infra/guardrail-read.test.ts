import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadGuardrails } from '../../functions/lib/aws/guardrail-parameters.js';
import { type GuardrailReader, synthesizeApp } from '../../sandbox/checks/synthesized-app.js';
import {
  resolveDeployed,
  type SynthesizedControlPlane,
  synthControlPlane,
  TEST_ACCOUNT,
} from './synth-control-plane.js';

// The guardrail read as deployed: what each function's code sends to SSM (the real
// loadGuardrails on its GUARDRAILS_PATH, over a mocked SSMClient) against what its role is
// granted in the synthesized template. SSM authorizes GetParametersByPath against the path in
// the request (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html),
// so the granted resource must be exactly `parameter` + that path. And a failed read is an
// alarm, not only a log line.

const ssm = mockClient(SSMClient);

/** The Path the function's code sends for `guardrailsPath`, read from the mocked client. */
const pathSent = async (guardrailsPath: string): Promise<string | undefined> => {
  ssm.reset();
  ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
  await loadGuardrails(guardrailsPath, {
    provider: new SSMProvider({ awsSdkV3Client: new SSMClient({}) }),
    maxAgeSeconds: 0,
  });
  return ssm.commandCalls(GetParametersByPathCommand)[0]?.args[0].input.Path;
};

describe('guardrail read', () => {
  let synthesized: SynthesizedControlPlane;
  let readers: readonly GuardrailReader[];
  beforeAll(() => {
    synthesized = synthControlPlane();
    readers = synthesizeApp({}).guardrailReaders;
  });
  beforeEach(() => {
    ssm.reset();
  });

  it('is granted to triage alone: the runbooks read them from their state machines', () => {
    // Assess: the runbook step functions get the guardrails in their payload (issue 13:
    // runbooks/kit/guardrail-read.ts); the report functions only name the path in alert texts.
    expect(readers.map(({ functionName }) => functionName)).toEqual(['rebound-dev-triage']);
  });

  it('is granted on exactly the path each function sends', async () => {
    for (const { functionName, guardrailsPath, grantedResources } of readers) {
      // Act
      const sent = await pathSent(guardrailsPath);
      const granted = grantedResources.flatMap((resource) =>
        [resolveDeployed(resource, synthesized)].flat(),
      );
      // Assess
      expect(sent, functionName).toBe('/rebound/dev/guardrails');
      expect(granted, functionName).toEqual([
        `arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:parameter${sent}`,
      ]);
    }
  });

  it('raises an alarm on the metric a failed read emits, straight to the alerts topic', async () => {
    // Prepare
    const [reader] = readers;
    ssm.on(GetParametersByPathCommand).rejects(
      Object.assign(new Error('not authorized to perform ssm:GetParametersByPath'), {
        name: 'AccessDeniedException',
      }),
    );
    const reported: string[] = [];
    // Act
    const parsed = await loadGuardrails(reader?.guardrailsPath ?? '', {
      provider: new SSMProvider({ awsSdkV3Client: new SSMClient({}) }),
      reportReadFailure: (path) => reported.push(path),
    });
    // Assess: the failed read is reported for the path it sent, and the alarm watches it.
    expect(parsed.guardrails.mode).toBe('dry-run');
    expect(reported).toEqual(['/rebound/dev/guardrails']);
    const alarms = synthesized.template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: 'rebound-dev-guardrails-unreadable' },
    });
    const [alarm] = Object.values(alarms) as { Properties: Record<string, unknown> }[];
    expect(alarm?.Properties).toMatchObject({
      Namespace: 'Rebound',
      MetricName: 'GuardrailReadFailures',
      Dimensions: [{ Name: 'GuardrailsPath', Value: reported[0] }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm?.Properties.AlarmDescription).toMatch(/^\[warning\] /);
    expect(resolveDeployed(alarm?.Properties.AlarmActions, synthesized)).toEqual([
      `arn:aws:sns:us-east-1:${TEST_ACCOUNT}:rebound-dev-alerts`,
    ]);
  });
});
