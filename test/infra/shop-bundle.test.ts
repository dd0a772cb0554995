import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleShop,
  SHOP_BOOT_ENVIRONMENT_FILE,
  SHOP_DATABASE_CA_FILE,
  SHOP_SERVER_FILE,
  SHOP_STATIC_DIR,
} from '../../infra/shop-bundling.js';
import { configFromEnv } from '../../shop/config.js';
import { STATIC_SOURCE_DIR } from '../../shop/http/static-assets.js';
import { literalText, onlyResource, type SynthesizedShop, synthShop } from './synth-shop.js';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

describe('the shop bundle', () => {
  // Outside the repository: no node_modules to fall back on.
  const outDir = mkdtempSync(join(tmpdir(), 'shop-bundle-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('is an ES module for Node 24 per process that runs without node_modules', () => {
    // Act
    const started = Date.now();
    bundleShop(outDir);
    const tookMs = Date.now() - started;
    const run = (file: string) =>
      spawnSync(process.execPath, [join(outDir, file)], {
        cwd: outDir,
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
        timeout: 20_000,
      });
    const server = run(SHOP_SERVER_FILE);
    const bootEnvironment = run(SHOP_BOOT_ENVIRONMENT_FILE);

    // Assess: every dependency loads from the bundle; the missing setting is the one error.
    expect(readdirSync(outDir).sort()).toEqual(
      [
        ...[SHOP_BOOT_ENVIRONMENT_FILE, SHOP_SERVER_FILE].flatMap((file) => [file, `${file}.map`]),
        SHOP_DATABASE_CA_FILE,
        SHOP_STATIC_DIR,
      ].sort(),
    );
    // The static files as in the source tree: the shop names them by content at start.
    expect(readdirSync(join(outDir, SHOP_STATIC_DIR))).toEqual(readdirSync(STATIC_SOURCE_DIR));
    expect(server.stderr.trim()).toBe(
      'error: SHOP_DATABASE_URL is not set: the primary, e.g. postgres://user@host:5432/shop',
    );
    expect(server.status).toBe(2);
    expect(bootEnvironment.stderr.trim()).toBe(
      'usage: node boot-environment.mjs <parameters.json> <environment file>',
    );
    expect(bootEnvironment.status).toBe(2);
    const kib = (file: string) => Math.round(statSync(join(outDir, file)).size / 1024);
    console.log(
      `shop bundle: ${SHOP_SERVER_FILE} ${kib(SHOP_SERVER_FILE)} KiB, ${SHOP_BOOT_ENVIRONMENT_FILE} ${kib(SHOP_BOOT_ENVIRONMENT_FILE)} KiB, bundled in ${tookMs} ms`,
    );
  });

  it('ships the RDS certificate authorities as PEM the shop reads', () => {
    // Prepare
    bundleShop(outDir);
    const caFile = join(outDir, SHOP_DATABASE_CA_FILE);

    // Act
    const { databaseCa } = configFromEnv({
      SHOP_DATABASE_URL: 'postgres://w/s',
      SHOP_DATABASE_CA_FILE: caFile,
    });
    const certificates =
      (databaseCa ?? '').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    const subjects = certificates.map((pem) => new X509Certificate(pem).subject);

    // Assess: the current RDS root CAs of a region, among the others.
    expect(subjects).toEqual(
      expect.arrayContaining([
        expect.stringContaining('CN=Amazon RDS us-east-1 Root CA RSA2048 G1'),
        expect.stringContaining('CN=Amazon RDS us-east-1 Root CA RSA4096 G1'),
        expect.stringContaining('CN=Amazon RDS us-east-1 Root CA ECC384 G1'),
      ]),
    );
  });
});

describe('the shop asset in the stack', () => {
  let dev: SynthesizedShop;
  beforeAll(() => {
    dev = synthShop();
  });

  it('lets the web instances fetch the bundle, one S3 object, and nothing else of the assets bucket', () => {
    // Prepare
    const { template, shop } = dev;
    const { asset } = shop.webTier.shopBundle;
    const role = onlyResource(template, 'AWS::IAM::Role', { RoleName: 'rebound-dev-web-instance' });

    // Act
    const policy = onlyResource<{ PolicyDocument: { Statement: Statement[] } }>(
      template,
      'AWS::IAM::Policy',
      { Roles: [{ Ref: role.id }] },
    );
    const s3 = policy.props.PolicyDocument.Statement.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('s3:')),
    );

    // Assess
    expect(asset.s3ObjectKey).toMatch(/^[0-9a-f]{64}\.zip$/);
    expect(s3).toHaveLength(1);
    expect(s3[0]?.Action).toBe('s3:GetObject');
    expect(literalText(s3[0]?.Resource)).toBe(
      `arn::s3:::cdk-hnb659fds-assets-\${AWS::AccountId}-us-east-1/${asset.s3ObjectKey}`,
    );
  });
});
