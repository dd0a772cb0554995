import { APPROVAL_MODES, type ApprovalMode } from '../functions/lib/approval/ports.js';
import {
  AUTOMATION_MODES,
  type AutomationMode,
  DEFAULT_GUARDRAILS,
  type Guardrails,
} from '../functions/lib/core/guardrails.js';
import { isAwsRegion, regionHint } from './aws-regions.js';
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS } from './cloudfront-prefix-lists.js';
import {
  DEFAULT_RECOVERY_OBJECTIVES,
  formatRecoveryObjectives,
  parseRecoveryObjectives,
  type RecoveryObjectives,
} from './recovery-objectives.js';

/**
 * Rebound's one typed configuration, read from CDK context (cdk.json defaults,
 * overridable with `-c key=value`). Every mistake becomes one line that names the key,
 * the bad value and what is allowed; `loadConfig` throws a ConfigError with all of them.
 */

export type NatGateways = 1 | 3;
export type CacheEngine = 'valkey' | 'redis';

export interface WebTierConfig {
  /** EC2 instance type of the web tier (ARM64/Graviton, Amazon Linux 2023). */
  readonly instanceType: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly desiredCapacity: number;
  /** Target-tracking target for average CPU utilisation, percent. */
  readonly cpuTargetPercent: number;
  /** Target-tracking target for average memory utilisation (CloudWatch agent), percent. */
  readonly memoryTargetPercent: number;
  /** Seconds a new instance gets before ELB health checks count. */
  readonly healthCheckGraceSeconds: number;
}

export interface DatabaseConfig {
  /** RDS instance class without the `db.` prefix, e.g. `t4g.medium`. */
  readonly instanceClass: string;
  /** PostgreSQL engine version, `major` or `major.minor`. */
  readonly engineVersion: string;
  readonly readReplicas: number;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly backupRetentionDays: number;
}

export interface CacheConfig {
  readonly engine: CacheEngine;
  /** ElastiCache node type, e.g. `cache.t4g.medium`. */
  readonly nodeType: string;
  /** Replicas next to the primary (1–5); Multi-AZ failover needs at least one. */
  readonly replicas: number;
  /** Non-default port the cache listens on. */
  readonly port: number;
}

export interface DomainConfig {
  readonly domainName: string;
  readonly hostedZoneId?: string;
  /** Regional ACM certificate for the ALB; a DNS-validated one is created when absent. */
  readonly certificateArn?: string;
  /** us-east-1 ACM certificate for CloudFront; created with the regional one in us-east-1. */
  readonly cloudFrontCertificateArn?: string;
}

/**
 * Where the shop's three AZs come from: the `availabilityZones` setting, the account's AZs
 * looked up by the CDK CLI and cached in cdk.context.json, a lookup the CLI still has to make
 * (this synthesis is a first pass), or `<region>a,b,c` assumed offline.
 */
export type AvailabilityZonesSource = 'configured' | 'looked-up' | 'lookup-pending' | 'assumed';

export interface ReboundConfig {
  readonly stage: string;
  readonly region: string;
  readonly account?: string;
  readonly availabilityZones: readonly [string, string, string];
  readonly availabilityZonesSource: AvailabilityZonesSource;
  /** The account the AZ lookup is for (`account`, else the CDK CLI's), when there is one. */
  readonly lookupAccount?: string;
  readonly alertEmails: readonly string[];
  readonly alertSmsNumbers: readonly string[];
  /** The account's SNS monthly SMS spend limit (USD): an alarm pages before it is reached. */
  readonly smsSpendLimitUsd: number;
  readonly domain?: DomainConfig;
  /** Existing WAF web ACL (CLOUDFRONT scope) to attach; one is created in us-east-1 otherwise. */
  readonly webAclArn?: string;
  /**
   * CloudFront origin-facing managed prefix list the ALB admits when there is no domain;
   * defaults from a built-in per-region table.
   */
  readonly cloudFrontPrefixListId?: string;
  readonly natGateways: NatGateways;
  /** Deletion protection and snapshot-on-delete; off only for `dev` and `dev<digits>` stages. */
  readonly protectData: boolean;
  readonly web: WebTierConfig;
  readonly database: DatabaseConfig;
  readonly cache: CacheConfig;
  /** Initial guardrails of the control plane (SSM parameters people may change later). */
  readonly automation: Guardrails;
  /**
   * How people answer approval requests: `links` (signed links to a public endpoint, and the
   * CLI) or `iam` (the CLI only, authorised by the caller's IAM: no endpoint, no links).
   */
  readonly approvals: ApprovalMode;
  /**
   * ARC zonal autoshift of the load balancer and the web group (with the weekly practice runs
   * autoshift requires). Off unless a person opts in: AWS then shifts on its own signal.
   */
  readonly zonalAutoshift: boolean;
  /**
   * The `rebound-<stage>-gameday` stack of AWS FIS experiment templates that break the deployed
   * shop for real (README "Real-cloud game days"). Off unless a person opts in.
   */
  readonly gameDays: boolean;
  /** Per failure class, the most minutes from a fault to its incident resolved (`npm start` checks them). */
  readonly recoveryObjectives: RecoveryObjectives;
}

/** The context keys Rebound reads, with their defaults (as a user would write them). */
export const CONFIG_DEFAULTS = {
  stage: 'dev',
  region: 'us-east-1',
  account: '',
  availabilityZones: '',
  alertEmails: '',
  alertSmsNumbers: '',
  smsSpendLimitUsd: 1,
  domainName: '',
  hostedZoneId: '',
  certificateArn: '',
  cloudFrontCertificateArn: '',
  webAclArn: '',
  cloudFrontPrefixListId: '',
  natGateways: 3,
  instanceType: 't4g.medium',
  minCapacity: 3,
  maxCapacity: 12,
  desiredCapacity: 3,
  cpuTargetPercent: 70,
  memoryTargetPercent: 75,
  healthCheckGraceSeconds: 300,
  dbInstanceClass: 't4g.medium',
  dbEngineVersion: '17.6',
  dbReadReplicas: 2,
  dbAllocatedStorageGiB: 50,
  dbMaxAllocatedStorageGiB: 500,
  dbBackupRetentionDays: 7,
  cacheEngine: 'valkey',
  cacheNodeType: 'cache.t4g.medium',
  cacheReplicas: 2,
  cachePort: 6380,
  automationMode: 'dry-run',
  maxInstanceReplacementsPerHour: 2,
  minHealthyInstances: 2,
  remediationCooldownMinutes: 15,
  approvals: 'links',
  zonalAutoshift: 'off',
  gameDays: 'false',
  recoveryObjectives: formatRecoveryObjectives(DEFAULT_RECOVERY_OBJECTIVES),
} as const;

export type ConfigKey = keyof typeof CONFIG_DEFAULTS;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  readonly config: ReboundConfig;
  /** Not errors, but worth a line at synth (e.g. no alert recipients). */
  readonly warnings: readonly string[];
}

/** Reads a context value by key; `app.node.tryGetContext` fits. */
export type ContextReader = (key: string) => unknown;

/**
 * Lowercase letters and digits only, no `-`: every name and IAM scope is `rebound-<stage>-…`, so
 * with a `-` allowed, stage `dev`'s `rebound-dev-*` (alarm rule, state machines, roles, topic
 * conditions) would take stage `dev-alice`'s resources. Forbidding it keeps every existing name of
 * a stage without `-` as it is (a separator after the stage would rename, and so replace, every
 * named resource, the incident table included). At most 19 characters: the longest name a stage
 * gives (a runbook step function, 64 characters at most) still fits.
 */
export const STAGE_PATTERN = /^[a-z][a-z0-9]{0,18}$/;
/** Stages whose data may go on delete: `dev`, `dev2`, `dev3`… (not `develop`, not `devalice`). */
const DISPOSABLE_STAGE = /^dev\d*$/;
/** What STAGE_PATTERN allows, for error messages. */
export const STAGE_RULE =
  'lowercase letters and digits, starting with a letter, at most 19 characters; no "-" (stage dev\'s names would otherwise take stage dev-alice\'s: use devalice)';
const ACCOUNT = /^\d{12}$/;
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{4,31}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
const WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+$/;
const PREFIX_LIST_ID = /^pl-[0-9a-f]{8,17}$/;
/** Family letters, generation digits, capabilities, size: the shape aws-cdk-lib can parse. */
const INSTANCE_TYPE = '[a-z]+\\d{1,2}[a-z-]*\\.[a-z0-9-]+';
const EC2_INSTANCE_TYPE = new RegExp(`^${INSTANCE_TYPE}$`);
const RDS_INSTANCE_CLASS = new RegExp(`^(db\\.)?${INSTANCE_TYPE}$`);
const CACHE_NODE_TYPE = new RegExp(`^cache\\.${INSTANCE_TYPE}$`);
const PG_VERSION = /^\d{2}(\.\d{1,2})?$/;

/** Collects problems while reading typed values out of context. */
class ContextParser {
  readonly problems: string[] = [];

  constructor(private readonly read: ContextReader) {}

  isSet(key: ConfigKey): boolean {
    const value = this.read(key);
    return value !== undefined && value !== null && value !== '';
  }

  raw(key: ConfigKey): string {
    const value = this.read(key) ?? CONFIG_DEFAULTS[key];
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (Array.isArray(value)) return value.join(',');
    this.fail(key, JSON.stringify(value), 'a string or number');
    return String(CONFIG_DEFAULTS[key]);
  }

  optional(key: ConfigKey, pattern: RegExp, allowed: string): string | undefined {
    const value = this.raw(key);
    if (value === '') return undefined;
    if (!pattern.test(value)) this.fail(key, value, allowed);
    return value;
  }

  required(key: ConfigKey, pattern: RegExp, allowed: string): string {
    const value = this.raw(key);
    if (!pattern.test(value)) this.fail(key, value, allowed);
    return value;
  }

  list(key: ConfigKey, pattern: RegExp, allowed: string): string[] {
    const items = this.raw(key)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    for (const item of items) {
      if (!pattern.test(item)) this.fail(key, item, allowed);
    }
    const duplicates = items.filter((item, index) => items.indexOf(item) !== index);
    if (duplicates.length > 0) this.fail(key, duplicates.join(','), 'each entry once');
    return items;
  }

  integer(key: ConfigKey, min: number, max: number, why = ''): number {
    const value = this.raw(key);
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      this.fail(key, value, `a whole number from ${min} to ${max}${why}`);
      return Number(CONFIG_DEFAULTS[key]);
    }
    return parsed;
  }

  oneOf<T extends string>(key: ConfigKey, allowed: readonly T[]): T {
    const value = this.raw(key);
    const match = allowed.find((option) => option === value);
    if (match === undefined) {
      this.fail(key, value, `one of ${allowed.join(' | ')}`);
      return allowed[0] as T;
    }
    return match;
  }

  fail(key: string, value: string, allowed: string): void {
    this.problems.push(
      `config "${key}": got ${JSON.stringify(value)}, expected ${allowed} (set it in cdk.json or with -c ${key}=...)`,
    );
  }
}

/** Keys that look like Rebound config but are not (typos such as `alertEmail`). */
function unknownKeys(contextKeys: readonly string[]): string[] {
  const known = new Set<string>(Object.keys(CONFIG_DEFAULTS));
  return contextKeys.filter((key) => /^[a-zA-Z]+$/.test(key) && !known.has(key));
}

export interface LoadOptions {
  /**
   * The account of your credentials as the CDK CLI resolved it (`CDK_DEFAULT_ACCOUNT`); with
   * it, unset `availabilityZones` are looked up. Absent offline.
   */
  readonly cliAccount?: string;
}

export function loadConfig(
  read: ContextReader,
  contextKeys: readonly string[] = [],
  options: LoadOptions = {},
): LoadedConfig {
  const p = new ContextParser(read);
  const warnings: string[] = [];

  for (const key of unknownKeys(contextKeys)) {
    p.problems.push(
      `config "${key}": unknown key; known keys are ${Object.keys(CONFIG_DEFAULTS).join(', ')}`,
    );
  }

  const stage = p.required('stage', STAGE_PATTERN, STAGE_RULE);
  const region = p.raw('region');
  if (!isAwsRegion(region)) p.fail('region', region, regionHint(region));
  const account = p.optional('account', ACCOUNT, 'a 12-digit AWS account id');
  const cliAccount = ACCOUNT.test(options.cliAccount ?? '') ? options.cliAccount : undefined;
  const lookupAccount = account ?? cliAccount;
  const zones = readAvailabilityZones(p, region, lookupAccount, read);
  if (zones.source === 'lookup-pending') {
    warnings.push(
      `availabilityZones not set: the CDK CLI looks up the AZs of account ${lookupAccount} in ${region} with your credentials, caches them in cdk.context.json and synthesizes again; until then (npm start, or a first pass) ${zones.names.join(',')} stand in`,
    );
  }
  if (zones.source === 'assumed') {
    warnings.push(
      `availabilityZones not set and no AWS account known (offline), so not looked up: assuming ${zones.names.join(',')}, which ${region} may not have; set -c availabilityZones=... or synthesize with credentials (npx cdk synth) to look them up once and cache them in cdk.context.json`,
    );
  }

  const alertEmails = p.list('alertEmails', EMAIL, 'comma-separated email addresses');
  const alertSmsNumbers = p.list(
    'alertSmsNumbers',
    E164,
    'comma-separated E.164 phone numbers such as +15555550100',
  );
  if (alertEmails.length === 0 && alertSmsNumbers.length === 0) {
    warnings.push(
      'no alert recipients: set -c alertEmails=... and/or -c alertSmsNumbers=... or nobody is told when the shop breaks',
    );
  }

  const domain = readDomain(p, region, warnings);
  const webAclArn = p.optional(
    'webAclArn',
    WEB_ACL_ARN,
    'a WAFv2 web ACL ARN of CLOUDFRONT scope (arn:aws:wafv2:us-east-1:<account>:global/webacl/...)',
  );
  const givenPrefixListId = p.optional(
    'cloudFrontPrefixListId',
    PREFIX_LIST_ID,
    'a managed prefix list id such as pl-3b927c52',
  );

  const cloudFrontPrefixListId = givenPrefixListId ?? CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS[region];
  // Only for a real region: a made-up one is reported once, under its own key.
  if (domain === undefined && cloudFrontPrefixListId === undefined && isAwsRegion(region)) {
    p.fail(
      'cloudFrontPrefixListId',
      '',
      `the id of com.amazonaws.global.cloudfront.origin-facing in ${region} (aws ec2 describe-managed-prefix-lists --region ${region}), because ${region} is not in the built-in table`,
    );
  }

  const natGatewayCount = p.integer('natGateways', 1, 3);
  if (natGatewayCount === 2) p.fail('natGateways', '2', '3 (one per AZ) or 1 (a cheap dev stage)');

  const web = readWebTier(p);
  const config: ReboundConfig = {
    stage,
    region,
    account,
    availabilityZones: zones.names,
    availabilityZonesSource: zones.source,
    ...(lookupAccount === undefined ? {} : { lookupAccount }),
    alertEmails,
    alertSmsNumbers,
    smsSpendLimitUsd: p.integer('smsSpendLimitUsd', 1, 1_000_000),
    domain,
    webAclArn,
    cloudFrontPrefixListId,
    natGateways: natGatewayCount === 1 ? 1 : 3,
    protectData: !DISPOSABLE_STAGE.test(stage),
    web,
    database: readDatabase(p),
    cache: readCache(p),
    automation: readAutomation(p, web.maxCapacity),
    approvals: p.oneOf<ApprovalMode>('approvals', APPROVAL_MODES),
    zonalAutoshift: readZonalAutoshift(p, natGatewayCount, warnings),
    gameDays: p.oneOf('gameDays', ['false', 'true'] as const) === 'true',
    recoveryObjectives: readRecoveryObjectives(p),
  };
  if (p.problems.length > 0) throw new ConfigError(p.problems);
  return { config, warnings };
}

/**
 * The context key under which the CDK CLI caches an account's AZ names (its
 * `availability-zones` context provider, what `Stack.availabilityZones` reads).
 */
export const availabilityZonesContextKey = (account: string, region: string): string =>
  `availability-zones:account=${account}:region=${region}`;

interface ShopZones {
  readonly names: readonly [string, string, string];
  readonly source: AvailabilityZonesSource;
}

function readAvailabilityZones(
  p: ContextParser,
  region: string,
  lookupAccount: string | undefined,
  read: ContextReader,
): ShopZones {
  // `<region><letter>`, for the regions of every partition (us-gov-west-1a, eusc-de-east-1a).
  const azName = /^[a-z]{2,4}(-[a-z]+)+-\d+[a-z]$/;
  const assumed: ShopZones['names'] = [`${region}a`, `${region}b`, `${region}c`];
  const given = p.list(
    'availabilityZones',
    azName,
    'three comma-separated AZ names such as us-east-1a,us-east-1b,us-east-1c',
  );
  if (given.length === 0) {
    if (lookupAccount === undefined) return { names: assumed, source: 'assumed' };
    const cached = read(availabilityZonesContextKey(lookupAccount, region));
    // Not cached yet: the app asks the CLI for the lookup (rebound-app.ts); this pass is discarded.
    if (!Array.isArray(cached)) return { names: assumed, source: 'lookup-pending' };
    // Regional AZs only (`<region><letter>`): an opted-in Local Zone is not one.
    const [first, second, third] = cached.filter(
      (zone): zone is string => typeof zone === 'string' && zone.slice(0, -1) === region,
    );
    if (first === undefined || second === undefined || third === undefined) {
      p.fail(
        'availabilityZones',
        '',
        `three AZ names: account ${lookupAccount} has fewer than three AZs in ${region} (${cached.join(',')})`,
      );
      return { names: assumed, source: 'looked-up' };
    }
    return { names: [first, second, third], source: 'looked-up' };
  }
  const [first, second, third] = given;
  if (given.length !== 3 || first === undefined || second === undefined || third === undefined) {
    p.fail('availabilityZones', given.join(','), 'exactly three AZ names');
    return { names: assumed, source: 'configured' };
  }
  // Malformed names were reported above; only well-formed ones can be of another region.
  const foreign = given.filter((zone) => azName.test(zone) && zone.slice(0, -1) !== region);
  if (foreign.length > 0) p.fail('availabilityZones', foreign.join(','), `AZs of region ${region}`);
  return { names: [first, second, third], source: 'configured' };
}

function readDomain(
  p: ContextParser,
  region: string,
  warnings: string[],
): DomainConfig | undefined {
  const domainName = p.optional(
    'domainName',
    DOMAIN,
    'a lowercase DNS name such as shop.example.com',
  );
  const hostedZoneId = p.optional(
    'hostedZoneId',
    HOSTED_ZONE_ID,
    'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
  );
  const certificateArn = p.optional('certificateArn', ACM_ARN, 'an ACM certificate ARN');
  const cloudFrontCertificateArn = p.optional(
    'cloudFrontCertificateArn',
    ACM_ARN,
    'an ACM certificate ARN in us-east-1',
  );

  const certRegion = certificateArn?.match(ACM_ARN)?.[1];
  // A malformed ARN was reported above (certRegion is undefined); don't report it twice.
  if (certificateArn && certRegion !== undefined && certRegion !== region) {
    p.fail(
      'certificateArn',
      certificateArn,
      `a certificate in ${region}, the region of the load balancer`,
    );
  }
  const cloudFrontCertRegion = cloudFrontCertificateArn?.match(ACM_ARN)?.[1];
  if (
    cloudFrontCertificateArn &&
    cloudFrontCertRegion !== undefined &&
    cloudFrontCertRegion !== 'us-east-1'
  ) {
    p.fail(
      'cloudFrontCertificateArn',
      cloudFrontCertificateArn,
      'a certificate in us-east-1 (CloudFront only uses certificates from us-east-1)',
    );
  }

  if (domainName === undefined) {
    for (const [key, value] of Object.entries({
      hostedZoneId,
      certificateArn,
      cloudFrontCertificateArn,
    })) {
      if (value !== undefined) p.fail(key, value, 'to be set only together with domainName');
    }
    return undefined;
  }
  if (hostedZoneId === undefined && certificateArn === undefined) {
    p.fail(
      'hostedZoneId',
      '',
      'a hosted zone id (to validate a new certificate) or a certificateArn, because domainName is set',
    );
  }
  if (region !== 'us-east-1' && cloudFrontCertificateArn === undefined) {
    warnings.push(
      `domainName is set but CloudFront needs a us-east-1 certificate (cloudFrontCertificateArn) outside us-east-1: the distribution keeps its *.cloudfront.net name`,
    );
  }
  return { domainName, hostedZoneId, certificateArn, cloudFrontCertificateArn };
}

function readWebTier(p: ContextParser): WebTierConfig {
  const instanceType = p.required(
    'instanceType',
    EC2_INSTANCE_TYPE,
    'an EC2 instance type such as t4g.medium',
  );
  const minCapacity = p.integer('minCapacity', 3, 500, ' (at least one instance per AZ)');
  // Unset max and desired follow min, so `-c minCapacity=6` alone is a valid change.
  const maxCapacity = p.isSet('maxCapacity')
    ? p.integer('maxCapacity', 3, 500)
    : Math.max(CONFIG_DEFAULTS.maxCapacity, minCapacity);
  const desiredCapacity = p.isSet('desiredCapacity')
    ? p.integer('desiredCapacity', 3, 500)
    : minCapacity;
  if (maxCapacity < minCapacity) {
    p.fail('maxCapacity', String(maxCapacity), `at least minCapacity (${minCapacity})`);
  } else if (desiredCapacity < minCapacity || desiredCapacity > maxCapacity) {
    p.fail(
      'desiredCapacity',
      String(desiredCapacity),
      `between minCapacity (${minCapacity}) and maxCapacity (${maxCapacity})`,
    );
  }
  return {
    instanceType,
    minCapacity,
    maxCapacity,
    desiredCapacity,
    cpuTargetPercent: p.integer('cpuTargetPercent', 10, 95),
    memoryTargetPercent: p.integer('memoryTargetPercent', 10, 95),
    healthCheckGraceSeconds: p.integer('healthCheckGraceSeconds', 60, 1800),
  };
}

function readDatabase(p: ContextParser): DatabaseConfig {
  const instanceClass = p.required(
    'dbInstanceClass',
    RDS_INSTANCE_CLASS,
    'an RDS instance class such as db.t4g.medium',
  );
  const allocatedStorageGiB = p.integer('dbAllocatedStorageGiB', 20, 65536);
  const maxAllocatedStorageGiB = p.integer('dbMaxAllocatedStorageGiB', 20, 65536);
  if (maxAllocatedStorageGiB < allocatedStorageGiB) {
    p.fail(
      'dbMaxAllocatedStorageGiB',
      String(maxAllocatedStorageGiB),
      `at least dbAllocatedStorageGiB (${allocatedStorageGiB})`,
    );
  }
  return {
    instanceClass: instanceClass.replace(/^db\./, ''),
    engineVersion: p.required(
      'dbEngineVersion',
      PG_VERSION,
      'a PostgreSQL version such as 17 or 17.6',
    ),
    readReplicas: p.integer('dbReadReplicas', 0, 5),
    allocatedStorageGiB,
    maxAllocatedStorageGiB,
    backupRetentionDays: p.integer('dbBackupRetentionDays', 1, 35),
  };
}

function readCache(p: ContextParser): CacheConfig {
  const port = p.integer('cachePort', 1024, 65535);
  if (port === 6379) p.fail('cachePort', '6379', 'a port other than the default 6379');
  return {
    engine: p.oneOf<CacheEngine>('cacheEngine', ['valkey', 'redis']),
    nodeType: p.required(
      'cacheNodeType',
      CACHE_NODE_TYPE,
      'an ElastiCache node type such as cache.t4g.medium',
    ),
    replicas: p.integer('cacheReplicas', 1, 5, ' (Multi-AZ failover needs a replica)'),
    port,
  };
}

/**
 * `on` | `off`. With one NAT gateway, an autoshift away from the NAT's AZ keeps customers off
 * it but not the other AZs' outbound traffic, which still crosses it: worth a line, not an error
 * (without autoshift the same AZ failure breaks the same traffic).
 */
function readZonalAutoshift(p: ContextParser, natGateways: number, warnings: string[]): boolean {
  const on = p.oneOf('zonalAutoshift', ['off', 'on'] as const) === 'on';
  if (on && natGateways === 1) {
    warnings.push(
      "zonalAutoshift is on with natGateways=1: an autoshift away from the NAT gateway's AZ moves customers off it, but the instances of the two other AZs still reach the internet through that NAT gateway; set natGateways=3 for a shop that loses an AZ whole",
    );
  }
  return on;
}

/** scale-out may at most double the group's configured maximum (guardrail `max-scale-out-capacity`). */
function readAutomation(p: ContextParser, maxCapacity: number): Guardrails {
  return {
    ...DEFAULT_GUARDRAILS,
    maxScaleOutCapacity: 2 * maxCapacity,
    mode: p.oneOf<AutomationMode>('automationMode', AUTOMATION_MODES),
    maxInstanceReplacementsPerHour: p.integer('maxInstanceReplacementsPerHour', 0, 100),
    minHealthyInstances: p.integer('minHealthyInstances', 0, 100),
    cooldownMinutes: p.integer('remediationCooldownMinutes', 0, 24 * 60),
  };
}

/** `class=minutes,…`; classes not given keep their default objective. */
function readRecoveryObjectives(p: ContextParser): RecoveryObjectives {
  const { objectives, problems } = parseRecoveryObjectives(p.raw('recoveryObjectives'));
  for (const { value, expected } of problems) p.fail('recoveryObjectives', value, expected);
  return objectives;
}
