import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../shop/config.js';
import { silentLogger } from '../../shop/logger.js';
import { createRedis } from '../../shop/redis-client.js';

const dir = mkdtempSync(join(tmpdir(), 'shop-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, PEM);
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello');

describe('shop configuration from the environment', () => {
  it('reads every setting', () => {
    // Act
    const config = configFromEnv({
      SHOP_DATABASE_URL: 'postgres://app@writer:5432/shop',
      SHOP_REPLICA_URLS: 'postgres://app@r1:5432/shop, postgresql://app@r2:5432/shop',
      SHOP_REDIS_URL: 'rediss://cache:6379',
      SHOP_PORT: '9000',
      SHOP_HOST: '0.0.0.0',
      SHOP_ADMIN_TOKEN: 'secret',
    });

    // Assess
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9000,
      primaryUrl: 'postgres://app@writer:5432/shop',
      replicaUrls: ['postgres://app@r1:5432/shop', 'postgresql://app@r2:5432/shop'],
      redisUrl: 'rediss://cache:6379',
      adminToken: 'secret',
    });
  });

  it('reads the CloudWatch agent endpoint and the web group of the metrics', () => {
    // Act
    const config = configFromEnv({
      SHOP_DATABASE_URL: 'postgres://app@writer/shop',
      SHOP_EMF_ENDPOINT: 'tcp://127.0.0.1:25888',
      SHOP_AUTO_SCALING_GROUP: 'rebound-dev-web',
    });

    // Assess
    expect(config.metrics).toEqual({
      host: '127.0.0.1',
      port: 25888,
      autoScalingGroupName: 'rebound-dev-web',
    });
  });

  it('defaults: port 8080 on loopback, no replica, no cache, no admin API', () => {
    // Act
    const config = configFromEnv({
      SHOP_DATABASE_URL: 'postgres://app@writer/shop',
      SHOP_REDIS_URL: '',
    });

    // Assess
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      replicaUrls: [],
      redisUrl: undefined,
      adminToken: undefined,
    });
  });

  it.each([
    [{}, 'SHOP_DATABASE_URL is not set: the primary, e.g. postgres://user@host:5432/shop'],
    [
      { SHOP_DATABASE_URL: 'writer:5432' },
      'SHOP_DATABASE_URL="writer:5432" must start with postgres:// or postgresql://',
    ],
    [
      { SHOP_DATABASE_URL: 'not a url' },
      'SHOP_DATABASE_URL="not a url" is not a URL: expected postgres://host:port/...',
    ],
    [
      { SHOP_DATABASE_URL: 'postgres://w/s', SHOP_PORT: '70000' },
      'SHOP_PORT="70000" must be a port number (0-65535)',
    ],
    [
      { SHOP_DATABASE_URL: 'postgres://w/s', SHOP_REDIS_URL: 'http://cache' },
      'SHOP_REDIS_URL="http://cache" must start with redis:// or rediss://',
    ],
    [
      { SHOP_DATABASE_URL: 'postgres://w/s', SHOP_DATABASE_CA_FILE: join(dir, 'missing.pem') },
      `SHOP_DATABASE_CA_FILE="${join(dir, 'missing.pem')}" cannot be read: ENOENT`,
    ],
    [
      { SHOP_DATABASE_URL: 'postgres://w/s', SHOP_DATABASE_CA_FILE: notPem },
      `SHOP_DATABASE_CA_FILE="${notPem}" holds no PEM certificate`,
    ],
    [
      { SHOP_DATABASE_URL: 'postgres://w/s', SHOP_EMF_ENDPOINT: 'tcp://127.0.0.1:25888' },
      'SHOP_EMF_ENDPOINT and SHOP_AUTO_SCALING_GROUP go together',
    ],
    [
      {
        SHOP_DATABASE_URL: 'postgres://w/s',
        SHOP_EMF_ENDPOINT: 'udp://127.0.0.1:25888',
        SHOP_AUTO_SCALING_GROUP: 'web',
      },
      'SHOP_EMF_ENDPOINT="udp://127.0.0.1:25888" must start with tcp://',
    ],
    [
      {
        SHOP_DATABASE_URL: 'postgres://w/s',
        SHOP_EMF_ENDPOINT: 'tcp://127.0.0.1',
        SHOP_AUTO_SCALING_GROUP: 'web',
      },
      'SHOP_EMF_ENDPOINT="tcp://127.0.0.1" must be tcp://host:port',
    ],
    [
      { SHOP_DATABASE_URL: 'postgres://w/s', SHOP_STATIC_DIR: join(dir, 'missing') },
      `SHOP_STATIC_DIR="${join(dir, 'missing')}" cannot be read: ENOENT`,
    ],
    [
      { SHOP_DATABASE_URL: 'postgres://w/s', SHOP_STATIC_DIR: caFile },
      `SHOP_STATIC_DIR="${caFile}" is not a folder`,
    ],
  ])('refuses %j with one line', (env, message) => {
    // Act + Assess
    expect(() => configFromEnv(env)).toThrow(message);
  });

  it('reads the database CA certificates from SHOP_DATABASE_CA_FILE; none by default', () => {
    // Act
    const withCa = configFromEnv({
      SHOP_DATABASE_URL: 'postgres://w/s',
      SHOP_DATABASE_CA_FILE: caFile,
    });
    const without = configFromEnv({ SHOP_DATABASE_URL: 'postgres://w/s' });

    // Assess
    expect(withCa.databaseCa).toBe(PEM);
    expect(without.databaseCa).toBeUndefined();
  });

  it('talks TLS to Redis for a rediss:// URL (ElastiCache with in-transit encryption)', () => {
    // Act
    const tls = createRedis('rediss://:token@127.0.0.1:1', silentLogger);
    const plain = createRedis('redis://127.0.0.1:1', silentLogger);
    tls.disconnect();
    plain.disconnect();

    // Assess: Node's default trust store and host name check (ioredis passes host to tls.connect).
    expect(tls.options.tls).toBe(true);
    expect(plain.options.tls).toBeUndefined();
  });
});
