import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The shop's folder: the asset's source (what is fingerprinted when bundling is skipped). */
export const SHOP_DIR = path.join(root, 'shop');

/** The process systemd starts, inside the unzipped asset. */
export const SHOP_SERVER_FILE = 'server.mjs';
/** The unit's ExecStartPre: the shop's environment from SSM and Secrets Manager. */
export const SHOP_BOOT_ENVIRONMENT_FILE = 'boot-environment.mjs';

/**
 * Bundles the shop for the web tier into `outDir`: `server.mjs`, one ES module for Node 24 with
 * its runtime dependencies (Fastify, pg, ioredis) inside, and `boot-environment.mjs` (with the
 * SSM and Secrets Manager clients), so the instance needs Node and nothing from npm. Local
 * esbuild, in-process: no Docker, no network.
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
}
