import { beforeAll, describe, expect, it } from 'vitest';
import {
  getAtt,
  onlyResource,
  PROD_EU_CONTEXT,
  ref,
  referencedIds,
  refTarget,
  resourcesOf,
  type SynthesizedShop,
  synthShop,
} from './synth-shop.js';

const DB = 'AWS::RDS::DBInstance';
const CACHE = 'AWS::ElastiCache::ReplicationGroup';

interface DbProps {
  readonly DBInstanceIdentifier: string;
  readonly AvailabilityZone?: string;
  readonly SourceDBInstanceIdentifier?: unknown;
  readonly MasterUserPassword?: unknown;
}

interface PolicyStatement {
  readonly Effect: string;
  readonly Principal: { readonly Service?: unknown; readonly AWS?: unknown } | string;
  readonly Action: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The primary is the one instance that is not a read replica. */
const primaryOf = ({ template }: SynthesizedShop) =>
  onlyResource<DbProps>(template, DB, { MultiAZ: true });
const replicasOf = ({ template }: SynthesizedShop) =>
  resourcesOf<DbProps>(template, DB).filter(({ props }) => props.SourceDBInstanceIdentifier);

describe('shop database', () => {
  let dev: SynthesizedShop;
  let prod: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
    prod = synthShop(PROD_EU_CONTEXT);
  });

  it('runs a Multi-AZ PostgreSQL primary, encrypted with its own KMS key', () => {
    // Prepare
    const { template } = dev;
    const key = onlyResource(template, 'AWS::KMS::Key', {
      Description: 'Rebound database storage, Performance Insights and backups',
    });

    // Act
    const primary = primaryOf(dev);

    // Assess
    expect(primary.props).toMatchObject({
      DBInstanceIdentifier: 'rebound-dev-db',
      Engine: 'postgres',
      MultiAZ: true,
      StorageEncrypted: true,
      KmsKeyId: getAtt(key.id, 'Arn'),
      PubliclyAccessible: false,
    });
  });

  it.each([
    ['dev', false, 'Delete', () => dev],
    ['prod', true, 'Snapshot', () => prod],
  ] as const)(
    'protects data for the %s stage: deletion protection %s, deletion policy %s',
    (_stage, protection, policy, shop) => {
      // Prepare
      const synthesized = shop();

      // Act
      const instances = [primaryOf(synthesized), ...replicasOf(synthesized)];

      // Assess
      expect(synthesized.config.protectData).toBe(protection);
      expect(instances).toHaveLength(3);
      for (const { props, resource } of instances) {
        expect(props, props.DBInstanceIdentifier).toMatchObject({ DeletionProtection: protection });
        expect(resource.DeletionPolicy, props.DBInstanceIdentifier).toBe(policy);
        expect(resource.UpdateReplacePolicy, props.DBInstanceIdentifier).toBe(policy);
      }
    },
  );

  it.each([
    ['us-east-1', () => dev],
    ['eu-west-1', () => prod],
  ] as const)('reads from two replicas of the primary in distinct AZs (%s)', (_region, shop) => {
    // Prepare
    const synthesized = shop();
    const primary = primaryOf(synthesized);

    // Act
    const replicas = replicasOf(synthesized);
    const azs = replicas.map(({ props }) => props.AvailabilityZone);

    // Assess
    expect(replicas).toHaveLength(2);
    for (const { props } of replicas) {
      expect(referencedIds(props.SourceDBInstanceIdentifier)).toEqual([primary.id]);
    }
    expect(new Set(azs).size).toBe(2);
    for (const az of azs) expect(synthesized.config.availabilityZones).toContain(az);
  });

  it('monitors every instance with Performance Insights and 60 s enhanced monitoring', () => {
    // Prepare
    const { template } = dev;

    // Act
    const instances = resourcesOf<DbProps>(template, DB);

    // Assess
    expect(instances).toHaveLength(3);
    for (const { props } of instances) {
      expect(props, props.DBInstanceIdentifier).toMatchObject({
        EnablePerformanceInsights: true,
        PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
        MonitoringInterval: 60,
        MonitoringRoleArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      });
    }
  });

  it('keeps the credentials in a generated, rotated secret', () => {
    // Prepare
    const { template } = dev;
    const primary = primaryOf(dev);

    // Act
    const secretId = referencedIds(primary.props.MasterUserPassword)[0] ?? 'no secret';
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret', {
      Name: 'rebound-dev-db-credentials',
    });
    const attachment = onlyResource<{ SecretId: unknown; TargetId: unknown }>(
      template,
      'AWS::SecretsManager::SecretTargetAttachment',
    );
    const schedule = onlyResource<{ SecretId: unknown; RotationRules: unknown }>(
      template,
      'AWS::SecretsManager::RotationSchedule',
    );

    // Assess: the password is a dynamic reference to the generated secret…
    expect(primary.props.MasterUserPassword).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', ref(secret.id), ':SecretString:password::}}']],
    });
    expect(secretId).toBe(secret.id);
    expect(secret.props).toMatchObject({
      GenerateSecretString: { GenerateStringKey: 'password' },
    });
    // …attached to the primary and rotated on a schedule.
    expect(attachment.props).toMatchObject({ SecretId: ref(secret.id), TargetId: ref(primary.id) });
    expect(schedule.props.SecretId).toEqual(ref(attachment.id));
    expect(schedule.props.RotationRules).toEqual({ ScheduleExpression: 'rate(30 days)' });
  });

  it('publishes the primary and replica endpoints in SSM and as outputs', () => {
    // Prepare
    const { template } = dev;
    const primary = primaryOf(dev);
    const [replica1, replica2] = replicasOf(dev).sort((a, b) =>
      a.props.DBInstanceIdentifier.localeCompare(b.props.DBInstanceIdentifier),
    );
    const endpoints = {
      'primary-endpoint': primary.id,
      'replica-1-endpoint': replica1?.id,
      'replica-2-endpoint': replica2?.id,
    };

    // Act
    const parameters = Object.fromEntries(
      resourcesOf<{ Name: string; Value: unknown }>(template, 'AWS::SSM::Parameter').map(
        ({ props }) => [props.Name, props.Value],
      ),
    );
    const outputs = template.findOutputs('*');

    // Assess
    expect(replica1?.props.DBInstanceIdentifier).toBe('rebound-dev-db-replica-1');
    for (const [name, id] of Object.entries(endpoints)) {
      expect(parameters[`/rebound/dev/db/${name}`], name).toEqual(
        getAtt(id ?? name, 'Endpoint.Address'),
      );
    }
    expect(outputs.DatabasePrimaryEndpoint?.Value).toEqual(getAtt(primary.id, 'Endpoint.Address'));
    expect(outputs.DatabaseReplica1Endpoint?.Value).toEqual(
      getAtt(replica1?.id ?? 'replica 1', 'Endpoint.Address'),
    );
    expect(outputs.DatabaseReplica2Endpoint?.Value).toEqual(
      getAtt(replica2?.id ?? 'replica 2', 'Endpoint.Address'),
    );
  });
});

describe('shop cache', () => {
  let dev: SynthesizedShop;
  let prod: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
    prod = synthShop(PROD_EU_CONTEXT);
  });

  it.each([
    ['us-east-1', () => dev],
    ['eu-west-1', () => prod],
  ] as const)('keeps a node in each of the three AZs with automatic failover (%s)', (_r, shop) => {
    // Prepare
    const { template, config } = shop();

    // Act
    const group = onlyResource(template, CACHE);

    // Assess
    expect(group.props).toMatchObject({
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      NumCacheClusters: 3,
      PreferredCacheClusterAZs: [...config.availabilityZones],
    });
  });

  it('encrypts in transit and at rest and authenticates with a token from Secrets Manager', () => {
    // Prepare
    const { template } = dev;
    const token = onlyResource(template, 'AWS::SecretsManager::Secret', {
      Name: 'rebound-dev-cache-auth-token',
    });

    // Act
    const group = onlyResource<{ AuthToken: unknown }>(template, CACHE);

    // Assess
    expect(group.props).toMatchObject({
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      KmsKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
    });
    expect(typeof group.props.AuthToken).not.toBe('string');
    expect(group.props.AuthToken).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', ref(token.id), ':SecretString:::}}']],
    });
  });

  it('listens on the non-default port 6380 and keeps daily snapshots', () => {
    // Prepare
    const { template } = dev;

    // Act
    const group = onlyResource<{ Port: number; SnapshotRetentionLimit: number }>(template, CACHE);

    // Assess
    expect(group.props.Port).toBe(6380);
    expect(group.props.SnapshotRetentionLimit).toBeGreaterThan(0);
  });

  it('notifies an unencrypted SNS topic that ElastiCache of this account may publish to', () => {
    // Prepare
    const { template } = dev;
    const group = onlyResource<{ NotificationTopicArn: unknown }>(template, CACHE);

    // Act
    const topicId = refTarget(group.props.NotificationTopicArn) ?? 'no topic';
    const topic = resourcesOf(template, 'AWS::SNS::Topic').find(({ id }) => id === topicId);
    const policy = resourcesOf<{
      Topics: unknown[];
      PolicyDocument: { Statement: PolicyStatement[] };
    }>(template, 'AWS::SNS::TopicPolicy').find(({ props }) =>
      props.Topics.some((entry) => refTarget(entry) === topicId),
    );
    const elastiCache = policy?.props.PolicyDocument.Statement.filter(
      ({ Effect, Principal }) =>
        Effect === 'Allow' &&
        typeof Principal === 'object' &&
        Principal.Service === 'elasticache.amazonaws.com',
    );

    // Assess: ElastiCache cannot publish to a KMS-encrypted topic.
    expect(topic).toBeDefined();
    expect(topic?.props).not.toHaveProperty('KmsMasterKeyId');
    expect(elastiCache).toHaveLength(1);
    expect(elastiCache?.[0]).toMatchObject({
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceOwner': { Ref: 'AWS::AccountId' } } },
    });
  });
});
