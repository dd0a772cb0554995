import { describe, expect, it } from 'vitest';
import { runScript } from '../support/run-script.js';

/** `npm run rto` judges the worst cases against the `recoveryObjectives` setting. */

const rto = (...args: string[]) => runScript('sandbox/gameday/rto-cli.ts', ...args);

/** The table row of a failure class, split into its cells. */
const row = (stdout: string, failureClass: string) =>
  stdout
    .split('\n')
    .find((line) => line.startsWith(`${failureClass} `))
    ?.split(/\s{2,}/);

describe('npm run rto objectives', () => {
  it('takes the objectives from recoveryObjectives and exits 1 when one is missed', () => {
    // Act (synthesizes the stacks: seconds)
    const { status, stdout } = rto(
      '-c',
      'recoveryObjectives=database-failover=1,cache-failover=30',
    );

    // Assess
    expect(status).toBe(1);
    expect(row(stdout, 'database-failover')?.slice(-2)).toEqual(['1m', 'NO']);
    expect(row(stdout, 'cache-failover')?.slice(-2)).toEqual(['30m', 'yes']);
    expect(row(stdout, 'instance-failure')?.slice(-2)).toEqual(['15m', 'yes']);
  });

  it('exits 2 with one config line on a bad objective, before synthesizing', () => {
    // Act
    const { status, stdout, stderr } = rto('-c', 'recoveryObjectives=az-loss=30');

    // Assess
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'error: config "recoveryObjectives": got "az-loss=30", expected class=minutes with a class of instance-failure | gray-failure | database-failover | cache-failover | az-impairment (set it in cdk.json or with -c recoveryObjectives=...)',
    ]);
  });
});
