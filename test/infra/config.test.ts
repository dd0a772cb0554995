import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, ConfigError, loadConfig, STAGE_PATTERN } from '../../infra/config.js';
import { SCENARIOS } from '../../sandbox/gameday/scenarios.js';

const read = (ctx: Record<string, unknown>) => (key: string) => ctx[key];

const CERT_US_EAST_1 =
  'arn:aws:acm:us-east-1:123456789012:certificate/0b0b0b0b-1111-2222-3333-444444444444';
const CERT_EU_WEST_1 =
  'arn:aws:acm:eu-west-1:123456789012:certificate/0b0b0b0b-1111-2222-3333-444444444444';
const ZONE_ID = 'Z0123456789ABCDEFGHIJ';
/** Set, so that a test about other warnings sees no AZ warning. */
const US_EAST_1_AZS = { availabilityZones: 'us-east-1a,us-east-1b,us-east-1c' };

/** Runs loadConfig and returns the ConfigError's problems; fails the test when nothing is thrown. */
function problemsOf(ctx: Record<string, unknown>, contextKeys: string[] = []): readonly string[] {
  try {
    loadConfig(read(ctx), contextKeys);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  expect.fail(`expected loadConfig to throw a ConfigError for ${JSON.stringify(ctx)}`);
}

/** The line ConfigError uses for a bad value, up to where "what is allowed" starts. */
const badValuePrefix = (key: string, value: string) =>
  `config "${key}": got ${JSON.stringify(value)}, expected `;
const hintSuffix = (key: string) => ` (set it in cdk.json or with -c ${key}=...)`;

describe('loadConfig defaults', () => {
  it('gives a complete, sensible dev config from an empty context', () => {
    // Prepare
    const ctx = {};

    // Act
    const { config } = loadConfig(read(ctx));

    // Assess
    expect(config).toEqual({
      stage: 'dev',
      region: 'us-east-1',
      account: undefined,
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      availabilityZonesSource: 'assumed',
      alertEmails: [],
      alertSmsNumbers: [],
      smsSpendLimitUsd: 1,
      domain: undefined,
      webAclArn: undefined,
      cloudFrontPrefixListId: 'pl-3b927c52',
      natGateways: 3,
      protectData: false,
      web: {
        instanceType: 't4g.medium',
        minCapacity: 3,
        maxCapacity: 12,
        desiredCapacity: 3,
        cpuTargetPercent: 70,
        memoryTargetPercent: 75,
        healthCheckGraceSeconds: 300,
      },
      database: {
        instanceClass: 't4g.medium',
        engineVersion: '17.6',
        readReplicas: 2,
        allocatedStorageGiB: 50,
        maxAllocatedStorageGiB: 500,
        backupRetentionDays: 7,
      },
      cache: {
        engine: 'valkey',
        nodeType: 'cache.t4g.medium',
        replicas: 2,
        port: 6380,
      },
      automation: {
        mode: 'dry-run',
        enabledRunbooks: [
          'replace-unhealthy-instance',
          'scale-out',
          'rds-failover',
          'cache-failover',
          'az-evacuation',
        ],
        maxInstanceReplacementsPerHour: 2,
        minHealthyInstances: 2,
        cooldownMinutes: 15,
        autoApprovedRunbooks: [],
        maxActionsPerHour: 2,
        scaleOutStep: 3,
        maxScaleOutCapacity: 24,
      },
      approvals: 'links',
      zonalAutoshift: false,
      gameDays: false,
      recoveryObjectives: {
        'instance-failure': 15,
        'gray-failure': 15,
        'database-failover': 15,
        'cache-failover': 15,
        'az-impairment': 60,
      },
    });
    expect(config.cache.replicas).toBeGreaterThanOrEqual(1);
  });

  it('treats undefined and null context values as "use the default"', () => {
    // Prepare
    const ctx = { stage: undefined, natGateways: null };

    // Act
    const { config } = loadConfig(read(ctx));

    // Assess
    expect(config.stage).toBe('dev');
    expect(config.natGateways).toBe(3);
  });

  it.each([
    ['us-east-1', ['us-east-1a', 'us-east-1b', 'us-east-1c']],
    ['eu-west-1', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']],
    ['ca-central-1', ['ca-central-1a', 'ca-central-1b', 'ca-central-1c']],
  ])('derives the three AZs from region %s', (region, zones) => {
    // Prepare: ca-central-1 is not in the built-in prefix-list table, so it is given.
    const ctx = { region, cloudFrontPrefixListId: 'pl-38a64351' };

    // Act
    const { config } = loadConfig(read(ctx));

    // Assess
    expect(config.region).toBe(region);
    expect(config.availabilityZones).toEqual(zones);
  });

  it.each([
    ['dev', false],
    ['dev2', false],
    ['devalice', true],
    ['develop', true],
    ['staging', true],
    ['prod', true],
  ])('sets protectData for stage %s to %s', (stage, protectData) => {
    // Prepare
    const ctx = { stage };

    // Act
    const { config } = loadConfig(read(ctx));

    // Assess
    expect(config.stage).toBe(stage);
    expect(config.protectData).toBe(protectData);
  });

  it("never accepts a stage whose names start with another stage's rebound-<stage>- prefix", () => {
    // rebound-<b>-<x> starts with rebound-<a>- exactly when b is a, or b starts with "<a>-": so
    // no valid stage may be another valid stage followed by "-" and more.
    fc.assert(
      fc.property(
        fc.stringMatching(STAGE_PATTERN),
        fc.stringMatching(/^[a-z0-9-]{1,10}$/),
        (stage, rest) => {
          expect(() => loadConfig(read({ stage: `${stage}-${rest}` }))).toThrow(ConfigError);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('warns when nobody would receive alerts', () => {
    // Prepare
    const ctx = { alertEmails: '', alertSmsNumbers: '', ...US_EAST_1_AZS };

    // Act
    const { warnings } = loadConfig(read(ctx));

    // Assess
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no alert recipients/);
    expect(warnings[0]).toContain('alertEmails');
    expect(warnings[0]).toContain('alertSmsNumbers');
  });

  it.each([
    ['alertEmails', 'ops@example.com'],
    ['alertSmsNumbers', '+15555550100'],
  ])('does not warn when only %s is set', (key, value) => {
    // Prepare
    const ctx = { [key]: value, ...US_EAST_1_AZS };

    // Act
    const { warnings } = loadConfig(read(ctx));

    // Assess
    expect(warnings).toEqual([]);
  });
});

describe('loadConfig recoveryObjectives', () => {
  it('takes class=minutes entries over the defaults; a class not given keeps its default', () => {
    // Act
    const { config } = loadConfig(
      read({ ...US_EAST_1_AZS, recoveryObjectives: ' instance-failure = 10 ,database-failover=5' }),
    );

    // Assess
    expect(config.recoveryObjectives).toEqual({
      'instance-failure': 10,
      'gray-failure': 15,
      'database-failover': 5,
      'cache-failover': 15,
      'az-impairment': 60,
    });
  });

  it('defaults to the objectives the game-day scenarios are judged against', () => {
    // Act
    const { config } = loadConfig(read(US_EAST_1_AZS));

    // Assess
    expect(CONFIG_DEFAULTS.recoveryObjectives).toBe(
      'instance-failure=15,gray-failure=15,database-failover=15,cache-failover=15,az-impairment=60',
    );
    for (const scenario of SCENARIOS) {
      expect(scenario.objectiveMinutes).toBe(config.recoveryObjectives[scenario.failureClass]);
    }
  });
});

describe('loadConfig zonalAutoshift', () => {
  it('is off unless a person turns it on', () => {
    // Act
    const off = loadConfig(read(US_EAST_1_AZS)).config;
    const on = loadConfig(read({ ...US_EAST_1_AZS, zonalAutoshift: 'on' }));

    // Assess
    expect(off.zonalAutoshift).toBe(false);
    expect(on.config.zonalAutoshift).toBe(true);
    expect(on.warnings.filter((line) => line.includes('zonalAutoshift'))).toEqual([]);
  });

  it('warns, in one line, that one NAT gateway still carries the other AZs outbound traffic', () => {
    // Act
    const { config, warnings } = loadConfig(
      read({ ...US_EAST_1_AZS, zonalAutoshift: 'on', natGateways: 1 }),
    );

    // Assess
    expect(config.zonalAutoshift).toBe(true);
    const lines = warnings.filter((line) =>
      line.startsWith('zonalAutoshift is on with natGateways=1'),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('set natGateways=3');
    expect(lines[0]).not.toContain('\n');
  });
});

describe('loadConfig values from context', () => {
  it('reads strings as `-c key=value` gives them', () => {
    // Prepare
    const ctx = {
      stage: 'prod',
      region: 'eu-west-1',
      account: '123456789012',
      availabilityZones: 'eu-west-1c,eu-west-1a,eu-west-1b',
      natGateways: '1',
      instanceType: 'c7g.large',
      minCapacity: '6',
      maxCapacity: '30',
      desiredCapacity: '9',
      cpuTargetPercent: '55',
      memoryTargetPercent: '80',
      healthCheckGraceSeconds: '600',
      dbInstanceClass: 'r7g.large',
      dbEngineVersion: '16',
      dbReadReplicas: '0',
      dbAllocatedStorageGiB: '100',
      dbMaxAllocatedStorageGiB: '1000',
      dbBackupRetentionDays: '35',
      cacheEngine: 'redis',
      cacheNodeType: 'cache.r7g.large',
      cacheReplicas: '5',
      cachePort: '7000',
      webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/rebound/abc-123',
      cloudFrontPrefixListId: 'pl-4fa04526',
    };

    // Act
    const { config } = loadConfig(read(ctx));

    // Assess
    expect(config).toMatchObject({
      stage: 'prod',
      region: 'eu-west-1',
      account: '123456789012',
      availabilityZones: ['eu-west-1c', 'eu-west-1a', 'eu-west-1b'],
      natGateways: 1,
      protectData: true,
      webAclArn: ctx.webAclArn,
      cloudFrontPrefixListId: 'pl-4fa04526',
      web: {
        instanceType: 'c7g.large',
        minCapacity: 6,
        maxCapacity: 30,
        desiredCapacity: 9,
        cpuTargetPercent: 55,
        memoryTargetPercent: 80,
        healthCheckGraceSeconds: 600,
      },
      database: {
        instanceClass: 'r7g.large',
        engineVersion: '16',
        readReplicas: 0,
        allocatedStorageGiB: 100,
        maxAllocatedStorageGiB: 1000,
        backupRetentionDays: 35,
      },
      cache: { engine: 'redis', nodeType: 'cache.r7g.large', replicas: 5, port: 7000 },
    });
  });

  it('reads numbers as cdk.json gives them', () => {
    // Prepare
    const ctx = {
      account: 123456789012,
      natGateways: 1,
      minCapacity: 4,
      maxCapacity: 8,
      desiredCapacity: 5,
      cpuTargetPercent: 60,
      dbEngineVersion: 17,
      dbReadReplicas: 1,
      cacheReplicas: 1,
      cachePort: 6390,
    };

    // Act
    const { config } = loadConfig(read(ctx));

    // Assess
    expect(config.account).toBe('123456789012');
    expect(config.natGateways).toBe(1);
    expect(config.web).toMatchObject({
      minCapacity: 4,
      maxCapacity: 8,
      desiredCapacity: 5,
      cpuTargetPercent: 60,
    });
    expect(config.database.engineVersion).toBe('17');
    expect(config.database.readReplicas).toBe(1);
    expect(config.cache).toMatchObject({ replicas: 1, port: 6390 });
  });

  it('splits comma lists and trims spaces around entries and the whole value', () => {
    // Prepare
    const ctx = {
      alertEmails: ' ops@example.com ,  oncall@example.org,,',
      alertSmsNumbers: '+15555550100 , +447700900123',
      availabilityZones: ' us-east-1a , us-east-1b,us-east-1d ',
      stage: '  prod ',
    };

    // Act
    const { config, warnings } = loadConfig(read(ctx));

    // Assess
    expect(config.alertEmails).toEqual(['ops@example.com', 'oncall@example.org']);
    expect(config.alertSmsNumbers).toEqual(['+15555550100', '+447700900123']);
    expect(config.availabilityZones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1d']);
    expect(config.stage).toBe('prod');
    expect(warnings).toEqual([]);
  });

  it('accepts a JSON array for a list key (cdk.json style)', () => {
    // Prepare
    const ctx = { alertEmails: ['ops@example.com', 'oncall@example.org'] };

    // Act
    const { config } = loadConfig(read(ctx));

    // Assess
    expect(config.alertEmails).toEqual(['ops@example.com', 'oncall@example.org']);
  });

  it.each([
    ['db.r7g.xlarge', 'r7g.xlarge'],
    ['r7g.xlarge', 'r7g.xlarge'],
  ])('strips the db. prefix from dbInstanceClass %s', (dbInstanceClass, instanceClass) => {
    // Prepare
    const ctx = { dbInstanceClass };

    // Act
    const { config } = loadConfig(read(ctx));

    // Assess
    expect(config.database.instanceClass).toBe(instanceClass);
  });

  it('accepts context keys it knows and ignores non-Rebound ones such as CDK feature flags', () => {
    // Prepare
    const ctx = { stage: 'prod', '@aws-cdk/core:newStyleStackSynthesis': true };
    const contextKeys = [
      'stage',
      '@aws-cdk/core:newStyleStackSynthesis',
      'aws:cdk:enable-path-metadata',
    ];

    // Act
    const { config } = loadConfig(read(ctx), contextKeys);

    // Assess
    expect(config.stage).toBe('prod');
  });
});

describe('loadConfig invalid input', () => {
  interface BadCase {
    readonly name: string;
    readonly ctx: Record<string, unknown>;
    readonly key: string;
    /** The bad value as it appears in the message. */
    readonly value: string;
    /** A fragment of "what is allowed". */
    readonly allowed: string;
    /** How many problems the context yields in all (a few mistakes imply a second one). */
    readonly count?: number;
  }

  const domain = { domainName: 'shop.example.com' };
  // biome-ignore format: one row per case reads better than a formatted object per case
  const cases: BadCase[] = [
    { name: 'uppercase stage', ctx: { stage: 'Prod' }, key: 'stage', value: 'Prod', allowed: 'lowercase letters' },
    { name: 'stage longer than 19', ctx: { stage: 'a'.repeat(20) }, key: 'stage', value: 'a'.repeat(20), allowed: 'at most 19 characters' },
    // rebound-dev-* (stage dev's rule, state machines, roles) would take stage dev-alice's names.
    { name: 'stage with a hyphen', ctx: { stage: 'dev-alice' }, key: 'stage', value: 'dev-alice', allowed: 'no "-"' },
    { name: 'stage starting with a digit', ctx: { stage: '1dev' }, key: 'stage', value: '1dev', allowed: 'starting with a letter' },
    { name: 'bad region', ctx: { region: 'us-east' }, key: 'region', value: 'us-east', allowed: 'an AWS region such as us-east-1' },
    { name: 'uppercase region', ctx: { region: 'US-EAST-1' }, key: 'region', value: 'US-EAST-1', allowed: 'an AWS region' },
    { name: 'region that does not exist', ctx: { region: 'us-east-7' }, key: 'region', value: 'us-east-7', allowed: 'an AWS region such as us-east-1 or us-east-2' },
    { name: 'region that does not exist, with a domain', ctx: { ...domain, hostedZoneId: ZONE_ID, region: 'us-east-7' }, key: 'region', value: 'us-east-7', allowed: 'an AWS region such as us-east-1 or us-east-2' },
    { name: 'region of no known family', ctx: { region: 'xx-north-1' }, key: 'region', value: 'xx-north-1', allowed: 'aws ec2 describe-regions' },
    { name: 'short account', ctx: { account: '12345' }, key: 'account', value: '12345', allowed: 'a 12-digit AWS account id' },
    { name: 'account with letters', ctx: { account: '12345678901x' }, key: 'account', value: '12345678901x', allowed: '12-digit' },
    { name: 'two AZs', ctx: { availabilityZones: 'us-east-1a,us-east-1b' }, key: 'availabilityZones', value: 'us-east-1a,us-east-1b', allowed: 'exactly three AZ names' },
    { name: 'four AZs', ctx: { availabilityZones: 'us-east-1a,us-east-1b,us-east-1c,us-east-1d' }, key: 'availabilityZones', value: 'us-east-1a,us-east-1b,us-east-1c,us-east-1d', allowed: 'exactly three AZ names' },
    { name: 'AZs of another region', ctx: { availabilityZones: 'us-east-1a,eu-west-1b,eu-west-1c' }, key: 'availabilityZones', value: 'eu-west-1b,eu-west-1c', allowed: 'AZs of region us-east-1' },
    { name: 'malformed AZ', ctx: { availabilityZones: 'us-east-1a,us-east-1b,us-east-1' }, key: 'availabilityZones', value: 'us-east-1', allowed: 'AZ names such as us-east-1a' },
    { name: 'duplicate AZ', ctx: { availabilityZones: 'us-east-1a,us-east-1a,us-east-1b' }, key: 'availabilityZones', value: 'us-east-1a', allowed: 'each entry once' },
    { name: 'bad email', ctx: { alertEmails: 'ops@example.com,ops-at-example.com' }, key: 'alertEmails', value: 'ops-at-example.com', allowed: 'email addresses' },
    { name: 'phone without +', ctx: { alertSmsNumbers: '5555550100' }, key: 'alertSmsNumbers', value: '5555550100', allowed: 'E.164 phone numbers such as +15555550100' },
    { name: 'phone starting with +0', ctx: { alertSmsNumbers: '+0123' }, key: 'alertSmsNumbers', value: '+0123', allowed: 'E.164' },
    { name: 'zonal autoshift neither on nor off', ctx: { zonalAutoshift: 'true' }, key: 'zonalAutoshift', value: 'true', allowed: 'one of off | on' },
    { name: 'gameDays neither true nor false', ctx: { gameDays: 'yes' }, key: 'gameDays', value: 'yes', allowed: 'one of false | true' },
    { name: 'unknown approvals mode', ctx: { approvals: 'email' }, key: 'approvals', value: 'email', allowed: 'one of links | iam' },
    { name: 'SMS spend limit of 0', ctx: { smsSpendLimitUsd: '0' }, key: 'smsSpendLimitUsd', value: '0', allowed: 'a whole number from 1 to 1000000' },
    { name: 'duplicate email', ctx: { alertEmails: 'ops@example.com, ops@example.com' }, key: 'alertEmails', value: 'ops@example.com', allowed: 'each entry once' },
    { name: 'unknown automation mode', ctx: { automationMode: 'yolo' }, key: 'automationMode', value: 'yolo', allowed: 'one of off | dry-run | auto' },
    { name: 'negative replacement budget', ctx: { maxInstanceReplacementsPerHour: -1 }, key: 'maxInstanceReplacementsPerHour', value: '-1', allowed: 'a whole number from 0 to 100' },
    { name: 'cooldown over a day', ctx: { remediationCooldownMinutes: 1441 }, key: 'remediationCooldownMinutes', value: '1441', allowed: 'a whole number from 0 to 1440' },
    { name: 'natGateways 2', ctx: { natGateways: 2 }, key: 'natGateways', value: '2', allowed: '3 (one per AZ) or 1' },
    { name: 'natGateways 0', ctx: { natGateways: '0' }, key: 'natGateways', value: '0', allowed: 'a whole number from 1 to 3' },
    { name: 'natGateways x', ctx: { natGateways: 'x' }, key: 'natGateways', value: 'x', allowed: 'a whole number from 1 to 3' },
    { name: 'minCapacity 2', ctx: { minCapacity: 2 }, key: 'minCapacity', value: '2', allowed: 'at least one instance per AZ' },
    { name: 'maxCapacity below minCapacity', ctx: { minCapacity: 6, maxCapacity: 4, desiredCapacity: 5 }, key: 'maxCapacity', value: '4', allowed: 'at least minCapacity (6)', count: 1 },
    { name: 'desiredCapacity above maxCapacity', ctx: { desiredCapacity: 13 }, key: 'desiredCapacity', value: '13', allowed: 'between minCapacity (3) and maxCapacity (12)' },
    { name: 'desiredCapacity below minCapacity', ctx: { minCapacity: 6, desiredCapacity: 4 }, key: 'desiredCapacity', value: '4', allowed: 'between minCapacity (6) and maxCapacity (12)' },
    { name: 'cpuTargetPercent 0', ctx: { cpuTargetPercent: 0 }, key: 'cpuTargetPercent', value: '0', allowed: 'a whole number from 10 to 95' },
    { name: 'cpuTargetPercent 101', ctx: { cpuTargetPercent: '101' }, key: 'cpuTargetPercent', value: '101', allowed: 'a whole number from 10 to 95' },
    { name: 'cpuTargetPercent seventy', ctx: { cpuTargetPercent: 'seventy' }, key: 'cpuTargetPercent', value: 'seventy', allowed: 'a whole number' },
    { name: 'fractional cpuTargetPercent', ctx: { cpuTargetPercent: 70.5 }, key: 'cpuTargetPercent', value: '70.5', allowed: 'a whole number' },
    { name: 'cacheEngine memcached', ctx: { cacheEngine: 'memcached' }, key: 'cacheEngine', value: 'memcached', allowed: 'one of valkey | redis' },
    { name: 'cachePort 6379', ctx: { cachePort: 6379 }, key: 'cachePort', value: '6379', allowed: 'a port other than the default 6379' },
    { name: 'cacheReplicas 0', ctx: { cacheReplicas: 0 }, key: 'cacheReplicas', value: '0', allowed: 'Multi-AZ failover needs a replica' },
    { name: 'dbEngineVersion latest', ctx: { dbEngineVersion: 'latest' }, key: 'dbEngineVersion', value: 'latest', allowed: 'a PostgreSQL version such as 17 or 17.6' },
    { name: 'instanceType without a generation (aws-cdk-lib cannot parse it)', ctx: { instanceType: 'zz.large' }, key: 'instanceType', value: 'zz.large', allowed: 'an EC2 instance type' },
    { name: 'cacheNodeType without a generation', ctx: { cacheNodeType: 'cache.zz.x' }, key: 'cacheNodeType', value: 'cache.zz.x', allowed: 'an ElastiCache node type' },
    { name: 'dbInstanceClass without size', ctx: { dbInstanceClass: 'db.t4g' }, key: 'dbInstanceClass', value: 'db.t4g', allowed: 'an RDS instance class' },
    { name: 'certificateArn of another region', ctx: { ...domain, certificateArn: CERT_EU_WEST_1 }, key: 'certificateArn', value: CERT_EU_WEST_1, allowed: 'a certificate in us-east-1' },
    { name: 'malformed certificateArn', ctx: { ...domain, certificateArn: 'not-an-arn' }, key: 'certificateArn', value: 'not-an-arn', allowed: 'an ACM certificate ARN' },
    { name: 'cloudFrontCertificateArn outside us-east-1', ctx: { ...domain, hostedZoneId: ZONE_ID, cloudFrontCertificateArn: CERT_EU_WEST_1 }, key: 'cloudFrontCertificateArn', value: CERT_EU_WEST_1, allowed: 'a certificate in us-east-1' },
    { name: 'hostedZoneId without domainName', ctx: { hostedZoneId: ZONE_ID }, key: 'hostedZoneId', value: ZONE_ID, allowed: 'only together with domainName' },
    { name: 'domainName without hostedZoneId nor certificateArn', ctx: { ...domain }, key: 'hostedZoneId', value: '', allowed: 'because domainName is set' },
    { name: 'malformed domainName', ctx: { domainName: 'Shop.Example', hostedZoneId: ZONE_ID }, key: 'domainName', value: 'Shop.Example', allowed: 'a lowercase DNS name' },
    { name: 'domainName without a dot', ctx: { domainName: 'shop', hostedZoneId: ZONE_ID }, key: 'domainName', value: 'shop', allowed: 'a lowercase DNS name' },
    { name: 'recovery objective of an unknown failure class', ctx: { recoveryObjectives: 'instance-failure=15,az-loss=30' }, key: 'recoveryObjectives', value: 'az-loss=30', allowed: 'class=minutes with a class of instance-failure | gray-failure | database-failover | cache-failover | az-impairment' },
    { name: 'recovery objective of 0 minutes', ctx: { recoveryObjectives: 'database-failover=0' }, key: 'recoveryObjectives', value: 'database-failover=0', allowed: 'whole minutes from 1 to 1440 for database-failover, such as database-failover=15' },
    { name: 'fractional recovery objective', ctx: { recoveryObjectives: 'cache-failover=2.5' }, key: 'recoveryObjectives', value: 'cache-failover=2.5', allowed: 'whole minutes from 1 to 1440' },
    { name: 'negative recovery objective', ctx: { recoveryObjectives: 'cache-failover=-5' }, key: 'recoveryObjectives', value: 'cache-failover=-5', allowed: 'whole minutes from 1 to 1440' },
    { name: 'recovery objective without minutes', ctx: { recoveryObjectives: 'instance-failure' }, key: 'recoveryObjectives', value: 'instance-failure', allowed: 'whole minutes from 1 to 1440 for instance-failure' },
    { name: 'recovery objective given twice', ctx: { recoveryObjectives: 'instance-failure=10,instance-failure=20' }, key: 'recoveryObjectives', value: 'instance-failure=20', allowed: 'instance-failure once' },
    { name: 'object value', ctx: { stage: { name: 'prod' } }, key: 'stage', value: '{"name":"prod"}', allowed: 'a string or number' },
  ];

  it.each(cases)('reports $name clearly', ({ ctx, key, value, allowed, count = 1 }) => {
    // Prepare
    const expectedStart = badValuePrefix(key, value);

    // Act
    const problems = problemsOf(ctx);

    // Assess
    expect(problems).toHaveLength(count);
    const line = problems.find((problem) => problem.startsWith(expectedStart));
    expect(line, `no problem for ${key}=${value} in:\n${problems.join('\n')}`).toBeDefined();
    expect(line).toContain(allowed);
    expect(line?.endsWith(hintSuffix(key))).toBe(true);
    expect(line).not.toContain('\n');
  });

  it('reports an unknown key and lists the known ones', () => {
    // Prepare
    const ctx = { alertEmail: 'ops@example.com' };

    // Act
    const problems = problemsOf(ctx, ['stage', 'alertEmail']);

    // Assess
    expect(problems).toHaveLength(1);
    const [line] = problems;
    expect(line).toMatch(/^config "alertEmail": unknown key; known keys are /);
    for (const known of Object.keys(CONFIG_DEFAULTS)) expect(line).toContain(known);
  });

  it('reports every mistake at once, one line each, with no stack trace', () => {
    // Prepare
    const ctx = {
      stage: 'Prod',
      region: 'moon-1',
      account: '42',
      alertSmsNumbers: '5555550100',
      natGateways: 2,
      cacheEngine: 'memcached',
    };

    // Act
    let thrown: unknown;
    try {
      loadConfig(read(ctx), ['alertEmail']);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.name).toBe('ConfigError');
    expect(error.problems.map((problem) => problem.match(/^config "([^"]+)"/)?.[1])).toEqual([
      'alertEmail',
      'stage',
      'region',
      'account',
      'alertSmsNumbers',
      'natGateways',
      'cacheEngine',
    ]);
    expect(error.message).toBe(error.problems.join('\n'));
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(7);
    for (const line of lines) {
      expect(line).toMatch(/^config "/);
      expect(line).not.toMatch(/^\s+at |\.ts:\d+/);
    }
  });
});

describe('loadConfig domain', () => {
  it('gives config.domain with the name and hosted zone', () => {
    // Prepare
    const ctx = {
      domainName: 'shop.example.com',
      hostedZoneId: ZONE_ID,
      alertEmails: 'a@b.co',
      ...US_EAST_1_AZS,
    };

    // Act
    const { config, warnings } = loadConfig(read(ctx));

    // Assess
    expect(config.domain).toEqual({
      domainName: 'shop.example.com',
      hostedZoneId: ZONE_ID,
      certificateArn: undefined,
      cloudFrontCertificateArn: undefined,
    });
    expect(warnings).toEqual([]);
  });

  it('accepts a certificateArn of the region instead of a hosted zone', () => {
    // Prepare
    const ctx = { domainName: 'shop.example.com', certificateArn: CERT_US_EAST_1 };

    // Act
    const { config } = loadConfig(read(ctx));

    // Assess
    expect(config.domain).toEqual({
      domainName: 'shop.example.com',
      hostedZoneId: undefined,
      certificateArn: CERT_US_EAST_1,
      cloudFrontCertificateArn: undefined,
    });
  });

  it('warns outside us-east-1 when there is no CloudFront certificate', () => {
    // Prepare
    const ctx = {
      region: 'eu-west-1',
      domainName: 'shop.example.com',
      hostedZoneId: ZONE_ID,
      alertEmails: 'a@b.co',
      availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c',
    };

    // Act
    const { config, warnings } = loadConfig(read(ctx));

    // Assess
    expect(config.domain?.domainName).toBe('shop.example.com');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cloudFrontCertificateArn');
    expect(warnings[0]).toContain('us-east-1');
  });

  it('does not warn outside us-east-1 when a us-east-1 CloudFront certificate is given', () => {
    // Prepare
    const ctx = {
      region: 'eu-west-1',
      domainName: 'shop.example.com',
      certificateArn: CERT_EU_WEST_1,
      cloudFrontCertificateArn: CERT_US_EAST_1,
      alertEmails: 'a@b.co',
      availabilityZones: 'eu-west-1a,eu-west-1b,eu-west-1c',
    };

    // Act
    const { config, warnings } = loadConfig(read(ctx));

    // Assess
    expect(config.domain).toEqual({
      domainName: 'shop.example.com',
      hostedZoneId: undefined,
      certificateArn: CERT_EU_WEST_1,
      cloudFrontCertificateArn: CERT_US_EAST_1,
    });
    expect(warnings).toEqual([]);
  });
});

describe('loadConfig capacity and prefix-list defaults', () => {
  it('lets max and desired capacity follow minCapacity when only min is set', () => {
    // Act
    const { config } = loadConfig(read({ minCapacity: '15' }));

    // Assess
    expect(config.web).toMatchObject({ minCapacity: 15, maxCapacity: 15, desiredCapacity: 15 });
  });

  it('asks for cloudFrontPrefixListId in a region outside the built-in table', () => {
    // Act
    const act = () => loadConfig(read({ region: 'ca-central-1' }));

    // Assess
    expect(act).toThrow(ConfigError);
    expect(() => act()).toThrow(
      /^config "cloudFrontPrefixListId": got "", expected the id of com\.amazonaws\.global\.cloudfront\.origin-facing in ca-central-1/,
    );
  });

  it('needs no prefix list when a domain puts TLS on the ALB', () => {
    // Act
    const { config } = loadConfig(
      read({
        region: 'ca-central-1',
        domainName: 'shop.example.com',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      }),
    );

    // Assess
    expect(config.cloudFrontPrefixListId).toBeUndefined();
    expect(config.domain?.domainName).toBe('shop.example.com');
  });
});

describe('loadConfig availability zones when availabilityZones is not set', () => {
  const ACCOUNT = '123456789012';
  // ap-northeast-1 has no "b" AZ for new accounts: <region>a,b,c would be wrong there.
  const TOKYO = { region: 'ap-northeast-1', alertEmails: 'a@b.co' };
  const lookupKey = `availability-zones:account=${ACCOUNT}:region=ap-northeast-1`;

  it('says offline that it assumes <region>a,b,c without looking them up', () => {
    // Act
    const { config, warnings } = loadConfig(read(TOKYO));

    // Assess
    expect(config.availabilityZones).toEqual([
      'ap-northeast-1a',
      'ap-northeast-1b',
      'ap-northeast-1c',
    ]);
    expect(config.availabilityZonesSource).toBe('assumed');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('availabilityZones not set and no AWS account known (offline)');
    expect(warnings[0]).toContain('cdk.context.json');
  });

  it("takes the account's AZs the CDK CLI looked up and cached in cdk.context.json", () => {
    // Prepare: the availability-zones provider's cached answer, a Local Zone included.
    const ctx = {
      ...TOKYO,
      [lookupKey]: [
        'ap-northeast-1a',
        'ap-northeast-1c',
        'ap-northeast-1d',
        'ap-northeast-1-tpe-1a',
      ],
    };

    // Act
    const { config, warnings } = loadConfig(read(ctx), [], { cliAccount: ACCOUNT });

    // Assess
    expect(config.availabilityZones).toEqual([
      'ap-northeast-1a',
      'ap-northeast-1c',
      'ap-northeast-1d',
    ]);
    expect(config.availabilityZonesSource).toBe('looked-up');
    expect(config.lookupAccount).toBe(ACCOUNT);
    expect(warnings).toEqual([]);
  });

  it('prefers the configured account to the CLI one for the lookup', () => {
    // Prepare
    const ctx = {
      ...TOKYO,
      account: ACCOUNT,
      [lookupKey]: ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'],
    };

    // Act
    const { config } = loadConfig(read(ctx), [], { cliAccount: '999999999999' });

    // Assess
    expect(config.availabilityZones).toEqual([
      'ap-northeast-1a',
      'ap-northeast-1c',
      'ap-northeast-1d',
    ]);
  });

  it('marks the lookup pending when the CLI has not cached it yet, and says so', () => {
    // Act
    const { config, warnings } = loadConfig(read(TOKYO), [], { cliAccount: ACCOUNT });

    // Assess
    expect(config.availabilityZonesSource).toBe('lookup-pending');
    expect(warnings[0]).toContain(`looks up the AZs of account ${ACCOUNT} in ap-northeast-1`);
  });

  it('refuses an account with fewer than three AZs in the region', () => {
    // Prepare
    const ctx = { ...TOKYO, [lookupKey]: ['ap-northeast-1a', 'ap-northeast-1c'] };

    // Act / Assess
    expect(() => loadConfig(read(ctx), [], { cliAccount: ACCOUNT })).toThrow(
      /config "availabilityZones": .*fewer than three AZs in ap-northeast-1/,
    );
  });
});
