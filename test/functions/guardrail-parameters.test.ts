import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadGuardrails } from '../../functions/lib/aws/guardrail-parameters.js';
import { guardrailParameterPath, guardrailsReadPath } from '../../functions/lib/core/guardrails.js';

const PATH = guardrailParameterPath('prod');

const ssmMock = mockClient(SSMClient);

const parameter = (name: string, value: string) => ({
  Name: `${PATH}${name}`,
  Value: value,
  Type: 'String' as const,
});

const ALL = [
  parameter('mode', 'auto'),
  parameter('enabled-runbooks', 'replace-unhealthy-instance'),
  parameter('max-instance-replacements-per-hour', '3'),
  parameter('min-healthy-instances', '2'),
  parameter('cooldown-minutes', '10'),
  parameter('auto-approved-runbooks', 'az-evacuation, cache-failover'),
  parameter('max-actions-per-hour', '1'),
  parameter('scale-out-step', '4'),
  parameter('max-scale-out-capacity', '20'),
];

const provider = () => new SSMProvider({ awsSdkV3Client: new SSMClient({}) });

beforeEach(() => {
  ssmMock.reset();
});

describe('loadGuardrails', () => {
  it('reads every guardrail under the path in one GetParametersByPath', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: ALL });

    // Act
    const parsed = await loadGuardrails(PATH, { provider: provider() });

    // Assess
    expect(parsed).toEqual({
      guardrails: {
        mode: 'auto',
        enabledRunbooks: ['replace-unhealthy-instance'],
        maxInstanceReplacementsPerHour: 3,
        minHealthyInstances: 2,
        cooldownMinutes: 10,
        autoApprovedRunbooks: ['az-evacuation', 'cache-failover'],
        maxActionsPerHour: 1,
        scaleOutStep: 4,
        maxScaleOutCapacity: 20,
      },
      problems: [],
    });
    expect(ssmMock).toHaveReceivedCommandTimes(GetParametersByPathCommand, 1);
    // The path IAM grants: no trailing slash (test/infra/guardrail-read.test.ts).
    expect(ssmMock).toHaveReceivedCommandWith(GetParametersByPathCommand, {
      Path: '/rebound/prod/guardrails',
    });
    expect(guardrailsReadPath(PATH)).toBe('/rebound/prod/guardrails');
  });

  it('follows pagination', async () => {
    // Prepare
    ssmMock
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: ALL.slice(0, 2), NextToken: 'page-2' })
      .resolvesOnce({ Parameters: ALL.slice(2) });

    // Act
    const parsed = await loadGuardrails(PATH, { provider: provider() });

    // Assess
    expect(parsed.problems).toEqual([]);
    expect(parsed.guardrails.cooldownMinutes).toBe(10);
  });

  it('serves repeated reads from its cache', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: ALL });
    const shared = provider();

    // Act
    await loadGuardrails(PATH, { provider: shared });
    await loadGuardrails(PATH, { provider: shared });

    // Assess
    expect(ssmMock).toHaveReceivedCommandTimes(GetParametersByPathCommand, 1);
  });

  it('reads again when the cache is disabled', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: ALL });
    const shared = provider();

    // Act
    await loadGuardrails(PATH, { provider: shared, maxAgeSeconds: 0 });
    await loadGuardrails(PATH, { provider: shared, maxAgeSeconds: 0 });

    // Assess
    expect(ssmMock).toHaveReceivedCommandTimes(GetParametersByPathCommand, 2);
  });

  it('reports missing parameters and takes their safe values', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [parameter('mode', 'auto')] });

    // Act
    const parsed = await loadGuardrails(PATH, { provider: provider() });

    // Assess
    expect(parsed.guardrails.mode).toBe('auto');
    expect(parsed.guardrails).toMatchObject({
      enabledRunbooks: [],
      autoApprovedRunbooks: [],
      maxActionsPerHour: 0,
      scaleOutStep: 0,
      maxScaleOutCapacity: 0,
    });
    expect(parsed.problems).toHaveLength(8);
  });

  it('never throws: unreadable SSM gives the safe side and says why', async () => {
    // Prepare
    ssmMock
      .on(GetParametersByPathCommand)
      .rejects(
        new Error('AccessDeniedException: not authorized to perform ssm:GetParametersByPath'),
      );

    const reported: string[] = [];

    // Act
    const parsed = await loadGuardrails(PATH, {
      provider: provider(),
      reportReadFailure: (path) => reported.push(path),
    });

    // Assess
    expect(parsed.guardrails).toMatchObject({
      mode: 'dry-run',
      enabledRunbooks: [],
      maxInstanceReplacementsPerHour: 0,
    });
    expect(parsed.problems[0]).toMatch(/^guardrails unreadable: .*not authorized/);
    expect(reported).toEqual(['/rebound/prod/guardrails']);
  });

  it('reports no read failure when parameters are only missing', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    const reported: string[] = [];

    // Act
    await loadGuardrails(PATH, {
      provider: provider(),
      reportReadFailure: (path) => reported.push(path),
    });

    // Assess
    expect(reported).toEqual([]);
  });
});
