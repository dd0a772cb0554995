import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../infra/config.js';
import { recoveryBudgets, unmetObjectives } from '../../infra/recovery/rto.js';
import { readShopSettings } from '../../infra/recovery/shop-settings.js';
import { runScript, runScriptWithin } from '../support/run-script.js';
import { synthShop } from './synth-shop.js';

const runStart = (...args: string[]) => runScript('infra/synth.ts', ...args);
/** A whole synthesis with bundling (~20–30 s alone, more beside other suites). */
const SYNTH_MS = 150_000;
const synthesize = (...args: string[]) => runScriptWithin(SYNTH_MS, 'infra/synth.ts', ...args);

describe('npm start (infra/synth.ts)', () => {
  it('exits 1 with one clear line per config mistake and no stack trace', () => {
    // Act
    const { status, stdout, stderr } = runStart(
      '-c',
      'minCapacity=2',
      '--context',
      'alertSmsNumbers=5555550100',
    );

    // Assess
    expect(status).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^error: config "alertSmsNumbers": got "5555550100", expected .*E\.164/,
      ),
      expect.stringMatching(
        /^error: config "minCapacity": got "2", expected .*one instance per AZ/,
      ),
    ]);
  });

  it.each([
    [['--bogus'], 'error: unknown argument "--bogus"'],
    [['-c'], 'error: -c needs key=value (got nothing)'],
    [['--context', 'stage'], 'error: --context needs key=value (got "stage")'],
  ])('exits 2 on %j with the error and the usage', (args, error) => {
    // Act
    const { status, stdout, stderr } = runStart(...args);

    // Assess
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      error,
      'usage: npm start -- [-c key=value]... [--help]',
    ]);
  });

  it('prints the usage, cdk diff and every setting with its default on --help, and exits 0', () => {
    // Act
    const { status, stdout, stderr } = runStart('--help');

    // Assess
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe('usage: npm start -- [-c key=value]... [--help]');
    expect(stdout).toContain('npx cdk diff');
    // The settings block: the lines indented by four spaces, `key=value` pairs.
    const settings = new Map(
      stdout
        .split('\n')
        .filter((line) => /^ {4}\S/.test(line))
        .flatMap((line) => line.trim().split(/\s+/))
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    );
    expect([...settings.keys()]).toEqual(Object.keys(CONFIG_DEFAULTS));
    expect(settings.get('stage')).toBe('dev');
    expect(settings.get('alertEmails')).toBe('(unset)');
  });

  it.each([
    ['without a domain', []],
    [
      'with a domain',
      ['-c', 'domainName=shop.example.com', '-c', 'hostedZoneId=Z0123456789ABCDEFGHIJ'],
    ],
  ])('refuses a region that does not exist %s, in one line naming region', (_case, more) => {
    // Act
    const { status, stdout, stderr } = runStart('-c', 'region=us-east-7', ...more);

    // Assess
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      'error: config "region": got "us-east-7", expected an AWS region such as us-east-1 or us-east-2 (set it in cdk.json or with -c region=...)',
    ]);
  });

  it(
    'exits 1 with one line per recovery objective the synthesized settings cannot meet',
    () => {
      // Act
      const { status, stderr } = synthesize(
        '-c',
        'recoveryObjectives=instance-failure=5,database-failover=1',
      );

      // Assess: the defaults' worst cases (README "Game day": 9m40s and 2m05s) miss both.
      expect(status).toBe(1);
      const errors = stderr.split('\n').filter((line) => line.startsWith('error:'));
      expect(errors).toEqual([
        'error: recovery objective for instance-failure is 5 min, but the synthesized settings allow up to 9m40s (the largest part, 5m10s: the group waits out the 300 s health-check grace period before it replaces the instance; see npm run rto)',
        "error: recovery objective for database-failover is 1 min, but the synthesized settings allow up to 2m05s (RDS's own failover, up to 120 s: no setting shortens it; see npm run rto)",
      ]);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
    SYNTH_MS + 10_000,
  );

  it('meets the default recovery objectives with the synthesized shop (what npm start checks)', () => {
    // Prepare: the shop as npm start synthesizes it with the defaults (CI's npm start runs the
    // whole command; here without bundling, which the check does not read).
    const { template, config } = synthShop();
    const { region, availabilityZones, recoveryObjectives } = config;

    // Act
    const unmet = unmetObjectives(
      recoveryBudgets(readShopSettings(template.toJSON(), { region, availabilityZones })),
      recoveryObjectives,
    );

    // Assess
    expect(unmet).toEqual([]);
  });
});
