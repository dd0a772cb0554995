import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CFN_LINT_INSTALL_HINT,
  type CfnLintFinding,
  CfnLintUnavailableError,
  lintTemplates,
} from '../../sandbox/checks/cfn-lint.js';
import { IGNORED_CFN_LINT_RULES } from '../../sandbox/checks/cfn-lint-ignores.js';

// The cfn-lint runner on small templates: the real cfn-lint command, a planted defect, an
// ignored rule, a missing command. `npm run cfn-lint` (.ci/run) lints the app's templates.

const QUEUE = { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 600 } };

let dir: string;
/** One cfn-lint run (it takes seconds to start) over the templates below. */
let findings: CfnLintFinding[];

const templateFile = (name: string, resources: Record<string, unknown>): string => {
  const file = path.join(dir, `${name}.template.json`);
  writeFileSync(file, JSON.stringify({ Resources: resources }, null, 1));
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rebound-cfn-lint-test-'));
  const templates = [
    templateFile('clean', { Queue: QUEUE }),
    // A property SQS does not have and a retention period above its 14-day maximum.
    templateFile('planted', {
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: { MessageRetentionPeriod: 9999999, Colour: 'red' },
      },
    }),
    // A hardcoded AZ is W3010, ignored on purpose.
    templateFile('ignored', {
      Subnet: {
        Type: 'AWS::EC2::Subnet',
        Properties: {
          VpcId: 'vpc-12345678',
          CidrBlock: '10.0.0.0/24',
          AvailabilityZone: 'us-east-1a',
        },
      },
    }),
  ];
  findings = lintTemplates(templates, 'us-east-1');
});

const findingsIn = (template: string) =>
  findings.filter((finding) => finding.template === `${template}.template.json`);

describe('cfn-lint runner', () => {
  it('finds nothing in a clean template', () => {
    // Assess
    expect(findingsIn('clean')).toEqual([]);
  });

  it('reports a planted defect with its rule, template and place', () => {
    // Assess
    expect(findingsIn('planted')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'E3002',
          level: 'Error',
          where: 'Resources/Queue/Properties/Colour',
        }),
        expect.objectContaining({
          rule: 'E3034',
          where: 'Resources/Queue/Properties/MessageRetentionPeriod',
        }),
      ]),
    );
  });

  it('does not apply the ignored rules, and gives each a reason', () => {
    // Assess
    expect(findingsIn('ignored')).toEqual([]);
    for (const [rule, reason] of Object.entries(IGNORED_CFN_LINT_RULES)) {
      expect(rule).toMatch(/^[EWI]\d{4}$/);
      expect(reason.length, rule).toBeGreaterThanOrEqual(60);
    }
  });

  it('says in one line how to install cfn-lint when the command is missing', () => {
    // Act
    const lint = () =>
      lintTemplates([path.join(dir, 'clean.template.json')], 'us-east-1', 'cfn-lint-not-there');
    // Assess
    expect(lint).toThrow(CfnLintUnavailableError);
    expect(lint).toThrow(CFN_LINT_INSTALL_HINT);
    expect(CFN_LINT_INSTALL_HINT).toContain('pip install cfn-lint');
  });
});
