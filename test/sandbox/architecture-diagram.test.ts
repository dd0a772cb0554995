import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { architectureDiagram, type StackTemplates } from '../../sandbox/architecture-diagram.js';
import {
  architectureSection,
  defaultStackTemplates,
  replaceArchitectureSection,
} from '../../sandbox/architecture-readme.js';
import { runScript } from '../support/run-script.js';

/**
 * The README's architecture picture is the one generated from the synthesized templates
 * (`npm run diagram`), and the generator reads the templates: a rule, a runbook or a permission
 * that changes there changes the picture.
 */

const README = path.resolve(import.meta.dirname, '../../README.md');

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface MutableTemplate {
  Resources: Record<string, Resource>;
}

let stacks: StackTemplates;
const controlPlane = () => structuredClone(stacks.controlPlane) as MutableTemplate;
const edgesOf = (diagram: string) =>
  diagram
    .split('\n')
    .map((line) => line.trim().match(/^(\S+) -\.?->(?:\|([^|]*)\|)? (\S+)$/))
    .flatMap((match) => (match === null ? [] : [[match[1], match[2] ?? '', match[3]]]));

beforeAll(() => {
  stacks = defaultStackTemplates();
});

describe('README architecture picture', () => {
  it('is the picture generated from the templates (run npm run diagram when this fails)', () => {
    // Prepare
    const readme = readFileSync(README, 'utf8');

    // Act
    const regenerated = replaceArchitectureSection(readme, architectureSection(stacks));

    // Assess
    expect(regenerated, 'README.md lost its architecture markers').toBeDefined();
    expect(regenerated === readme, 'README.md picture is out of date: run npm run diagram').toBe(
      true,
    );
  });

  it('draws one incident: each source to its rule, every rule to triage, then record, start, alert, page', () => {
    // Act
    const edges = edgesOf(architectureDiagram(stacks));

    // Assess
    expect(edges).toEqual(
      expect.arrayContaining([
        ['alarms', '1 alarm state change', 'rule_alarm_state_changes'],
        ['web', '1 launch, termination', 'rule_auto_scaling_events'],
        ['db', '1 RDS event', 'rule_rds_instance_events'],
        ['health', '1 AWS Health event', 'rule_health_events'],
        ['runbooks', 'run failed', 'rule_runbook_failures'],
        ['rule_alarm_state_changes', '2 matched', 'triage'],
        ['rule_runbook_failures', '2 matched', 'triage'],
        ['topic_rebound_dev_cache_events', 'ElastiCache event', 'triage'],
        ['triage', '3 record', 'table_incidents'],
        ['triage', '4 start runbook', 'runbooks'],
        ['triage', '5 alert', 'alerts'],
        ['alerts', '6 email, SMS', 'people'],
        ['runbooks', 'invoke', 'fn_approvals'],
        ['fn_approval_endpoint', 'answer', 'runbooks'],
      ]),
    );
    const acted = edges.filter(([from, label]) => from === 'runbooks' && label === 'act');
    expect(acted.map(([, , to]) => to).sort()).toEqual(['alb', 'cache', 'db', 'web']);
  });

  it('follows the templates: a rule removed, a runbook renamed, a permission taken away', () => {
    // Prepare
    const changed = controlPlane();
    const resources = Object.entries(changed.Resources);
    const [healthRule] = resources.find(
      ([, r]) =>
        r.Type === 'AWS::Events::Rule' && r.Properties.Name === 'rebound-dev-health-events',
    ) ?? [''];
    delete changed.Resources[healthRule];
    for (const [, resource] of resources) {
      if (resource.Properties.StateMachineName === 'rebound-dev-scale-out') {
        resource.Properties.StateMachineName = 'rebound-dev-scale-up';
      }
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const document = resource.Properties.PolicyDocument as { Statement: { Action: unknown }[] };
      document.Statement = document.Statement.filter(
        (statement) => statement.Action !== 'states:StartExecution',
      );
    }

    // Act
    const diagram = architectureDiagram({ ...stacks, controlPlane: changed });
    const edges = edgesOf(diagram);

    // Assess
    expect(diagram).not.toContain('rule_health_events');
    expect(diagram).toContain('<br/>scale-up<br/>');
    expect(diagram).not.toContain('<br/>scale-out<br/>');
    // Triage still answers runbooks waiting for a recovery event (SendTaskSuccess), no more.
    expect(edges.filter(([from, , to]) => from === 'triage' && to === 'runbooks')).toEqual([
      ['triage', 'answer', 'runbooks'],
    ]);
  });
});

describe('npm run diagram arguments', () => {
  const diagram = (...args: string[]) => runScript('sandbox/architecture-cli.ts', ...args);

  it('prints the usage and --check on --help without synthesizing', () => {
    // Act
    const { status, stdout } = diagram('--help');

    // Assess
    expect(status).toBe(0);
    expect(stdout.split('\n')[0]).toBe('usage: npm run diagram [-- --check]');
    expect(stdout).toContain('  --check ');
  });

  it('exits 2 on an argument it does not take', () => {
    // Act
    const { status, stderr } = diagram('--write');

    // Assess
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      'error: unknown argument "--write"',
      'usage: npm run diagram [-- --check]',
    ]);
  });
});
