import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type BootParameters,
  environmentFileText,
  readShopEnvironment,
} from '../../shop/aws/boot-settings.js';
import { configFromEnv } from '../../shop/config.js';

const ssmMock = mockClient(SSMClient);
const secretsMock = mockClient(SecretsManagerClient);

const DB_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:rebound-dev-db-credentials-AbCdEf';
const TOKEN_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:rebound-dev-cache-auth-token-GhIjKl';

const NAMES: BootParameters = {
  databasePrimaryEndpoint: '/rebound/dev/db/primary-endpoint',
  databaseReplicaEndpoints: [
    '/rebound/dev/db/replica-1-endpoint',
    '/rebound/dev/db/replica-2-endpoint',
  ],
  databaseCredentialsSecret: '/rebound/dev/db/credentials-secret',
  databasePort: 5432,
  databaseName: 'shop',
  cachePrimaryEndpoint: '/rebound/dev/cache/primary-endpoint',
  cachePort: '/rebound/dev/cache/port',
  cacheAuthTokenSecret: '/rebound/dev/cache/auth-token-secret',
};

const VALUES: Record<string, string> = {
  '/rebound/dev/db/primary-endpoint': 'rebound-dev-db.abc.us-east-1.rds.amazonaws.com',
  '/rebound/dev/db/replica-1-endpoint': 'rebound-dev-db-replica-1.abc.us-east-1.rds.amazonaws.com',
  '/rebound/dev/db/replica-2-endpoint': 'rebound-dev-db-replica-2.abc.us-east-1.rds.amazonaws.com',
  '/rebound/dev/db/credentials-secret': DB_SECRET_ARN,
  '/rebound/dev/cache/primary-endpoint': 'master.rebound-dev-cache.abc.use1.cache.amazonaws.com',
  '/rebound/dev/cache/port': '6380',
  '/rebound/dev/cache/auth-token-secret': TOKEN_ARN,
};

/** What SSM's GetParameters answers for `names` given `values` (unknown names → InvalidParameters). */
const answer = (names: string[], values: Record<string, string>) => ({
  Parameters: names
    .filter((name) => name in values)
    .map((name) => ({ Name: name, Value: values[name] })),
  InvalidParameters: names.filter((name) => !(name in values)),
});

beforeEach(() => {
  ssmMock.reset();
  secretsMock.reset();
  ssmMock
    .on(GetParametersCommand)
    .callsFake((input: { Names: string[] }) => answer(input.Names, VALUES));
  secretsMock
    .on(GetSecretValueCommand, { SecretId: DB_SECRET_ARN })
    // A password with the characters RDS-generated passwords may hold: , = . ^ - _
    .resolves({
      SecretString: JSON.stringify({ username: 'rebound_admin', password: 'p,a=s.s^w-o_rd' }),
    })
    .on(GetSecretValueCommand, { SecretId: TOKEN_ARN })
    .resolves({ SecretString: 'tokenTOKEN0123456789' });
});

describe('the shop environment read at boot (SSM + Secrets Manager)', () => {
  it('builds the database, replica and rediss:// URLs the shop configuration accepts', async () => {
    // Act
    const environment = await readShopEnvironment(
      NAMES,
      new SSMClient({}),
      new SecretsManagerClient({}),
    );

    // Assess
    const user = 'rebound_admin:p%2Ca%3Ds.s%5Ew-o_rd';
    expect(environment).toEqual({
      SHOP_DATABASE_URL: `postgres://${user}@rebound-dev-db.abc.us-east-1.rds.amazonaws.com:5432/shop`,
      SHOP_REPLICA_URLS: [
        `postgres://${user}@rebound-dev-db-replica-1.abc.us-east-1.rds.amazonaws.com:5432/shop`,
        `postgres://${user}@rebound-dev-db-replica-2.abc.us-east-1.rds.amazonaws.com:5432/shop`,
      ].join(','),
      SHOP_REDIS_URL:
        'rediss://:tokenTOKEN0123456789@master.rebound-dev-cache.abc.use1.cache.amazonaws.com:6380',
    });
    const config = configFromEnv(environment);
    expect(config.replicaUrls).toHaveLength(2);
    expect(new URL(config.primaryUrl).password).toBe('p%2Ca%3Ds.s%5Ew-o_rd');
    expect(decodeURIComponent(new URL(config.primaryUrl).password)).toBe('p,a=s.s^w-o_rd');
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('writes KEY=value lines for systemd', () => {
    // Act + Assess
    expect(environmentFileText({ A: 'postgres://u:p@h/db', B: '' })).toBe(
      'A=postgres://u:p@h/db\nB=\n',
    );
  });

  it('names every missing parameter in one error', async () => {
    // Prepare
    const {
      '/rebound/dev/cache/port': _,
      '/rebound/dev/db/replica-2-endpoint': __,
      ...partial
    } = VALUES;
    ssmMock
      .on(GetParametersCommand)
      .callsFake((input: { Names: string[] }) => answer(input.Names, partial));

    // Act + Assess
    await expect(
      readShopEnvironment(NAMES, new SSMClient({}), new SecretsManagerClient({})),
    ).rejects.toThrow(
      'SSM parameters not found: /rebound/dev/db/replica-2-endpoint, /rebound/dev/cache/port',
    );
  });

  it('refuses a credentials secret without username and password, without repeating its text', async () => {
    // Prepare
    secretsMock
      .on(GetSecretValueCommand, { SecretId: DB_SECRET_ARN })
      .resolves({ SecretString: 'hunter2' });

    // Act
    const failure = readShopEnvironment(NAMES, new SSMClient({}), new SecretsManagerClient({}));

    // Assess
    await expect(failure).rejects.toThrow(
      'the secret named by /rebound/dev/db/credentials-secret is not JSON with "username" and "password"',
    );
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
