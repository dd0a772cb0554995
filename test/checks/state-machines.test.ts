import { beforeAll, describe, expect, it } from 'vitest';
import { RUNBOOK_NAMES } from '../../functions/lib/core/runbook-registry.js';
import { checkAslSchema } from '../../sandbox/checks/asl-schema.js';
import { BotocoreModels, botocoreDataDir } from '../../sandbox/checks/botocore-models.js';
import { CHECKED_CONFIGURATIONS } from '../../sandbox/checks/configurations.js';
import {
  checkSdkIntegrations,
  formatContractFinding,
} from '../../sandbox/checks/sdk-integration-contract.js';
import {
  type SynthesizedStateMachine,
  synthesizeApp,
} from '../../sandbox/checks/synthesized-app.js';

// Every state machine of every configuration the cdk-nag test synthesizes, checked with AWS's
// service models (botocore) and an independent ASL validator (asl-validator).

/** The JSONPath filters Step Functions evaluates and asl-validator cannot parse (asl-schema.ts). */
const KNOWN_FILTER_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'replace-unhealthy-instance': [
    '/States/DescribeGroup/ResultSelector/healthyInServiceIds.$',
    '/States/DescribeTargets/ResultSelector/healthyIds.$',
  ],
};

describe.each(Object.entries(CHECKED_CONFIGURATIONS))('the %s configuration', (_name, context) => {
  let models: BotocoreModels;
  let machines: readonly SynthesizedStateMachine[];
  beforeAll(() => {
    // No botocore: fails here with one line saying to pip install it.
    models = new BotocoreModels(botocoreDataDir());
    machines = synthesizeApp(context).stateMachines;
  });

  it('has a state machine for every runbook, each with AWS SDK tasks to check', () => {
    // Assess: nothing silently drops out of the checks below.
    const stage = 'stage' in context ? context.stage : 'dev';
    expect(machines.map(({ name }) => name).sort()).toEqual(
      RUNBOOK_NAMES.map((runbook) => `rebound-${stage}-${runbook}`).sort(),
    );
    for (const { name, definition } of machines) {
      expect(JSON.stringify(definition), name).toMatch(/arn:aws:states:::aws-sdk:/);
    }
  });

  it('calls AWS only with the service models’ fields, errors and IAM actions', () => {
    // Act
    const findings = machines.flatMap((machine) => checkSdkIntegrations(machine, models));
    // Assess: one line per finding, so a failure reads as the list of what to fix.
    expect(findings.map(formatContractFinding)).toEqual([]);
  });

  it('is valid ASL for asl-validator, sparing only the named JSONPath filters', () => {
    for (const { name, definition } of machines) {
      // Act
      const { errors, toleratedFilters } = checkAslSchema(definition);
      // Assess
      expect(errors, name).toEqual([]);
      const known = Object.entries(KNOWN_FILTER_FIELDS).find(([runbook]) =>
        name.endsWith(`-${runbook}`),
      );
      expect([...toleratedFilters].sort(), name).toEqual(known?.[1] ?? []);
    }
  });
});
