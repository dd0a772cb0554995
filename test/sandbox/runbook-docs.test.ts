import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import { inputTable, TABLE_BEGIN, withInputTable } from '../../sandbox/runbook-docs/input-table.js';

const readme = (runbook: string): string =>
  readFileSync(new URL(`../../runbooks/${runbook}/README.md`, import.meta.url), 'utf8');

describe('runbook README input tables', () => {
  it.each(RUNBOOKS.map((runbook) => [runbook.name, runbook] as const))(
    '%s: the committed table is the one the registry generates (run npm run docs)',
    (_name, runbook) => {
      // Act
      const page = readme(runbook.name);

      // Assess
      expect(page).toContain(inputTable(runbook));
      expect(withInputTable(page, runbook)).toBe(page);
    },
  );

  it('lists every field with its requirement and what it may be', () => {
    // Prepare
    const rds = RUNBOOKS.find((runbook) => runbook.name === 'rds-failover');
    if (rds === undefined) throw new Error('rds-failover is not in the registry');

    // Act
    const rows = inputTable(rds).split('\n').slice(3, -1);

    // Assess
    expect(rows.map((row) => row.split(' | ')[0])).toEqual([
      '| `dbInstanceId`',
      '| `mode`',
      '| `replicaId`',
      '| `incidentId`',
      '| `reason`',
      '| `dryRun`',
    ]);
    expect(rows[2]).toContain('| required with mode promote-replica |');
    expect(rows[1]).toContain('must be one of follow, force, promote-replica');
  });

  it('refuses a page without the markers, saying how to fix it', () => {
    // Prepare
    const [runbook] = RUNBOOKS;

    // Act
    const rewrite = () => withInputTable('# no table here\n', runbook);

    // Assess
    expect(rewrite).toThrow(TABLE_BEGIN);
  });
});
