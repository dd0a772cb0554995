import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The project's root directory: what the paths of {@link bundleLambda}'s metafile are relative to. */
export const PROJECT_ROOT = root;

/**
 * How every Rebound Lambda is bundled, shared by the CDK construct (ReboundFunction) and the
 * benchmark (`npm run bench`), so the bench measures exactly what deploys.
 */
export const LAMBDA_BUNDLING = {
  format: 'esm',
  target: 'node24',
  minify: true,
  sourceMap: true,
  // Node maps stack traces from the mappings alone; the sources' text would triple the map and
  // the cost of --enable-source-maps at load (triage: +0.5× instead of +1.5× the empty handler).
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // ESM bundles of CommonJS dependencies still call require(); give them one.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  /**
   * Packages swapped at bundling (esbuild `alias`, absolute paths). The SDK's default credential
   * chain becomes the Lambda runtime's environment credentials alone: about 108 KB less in every
   * bundle (see functions/lib/aws/lambda-credentials.ts).
   */
  alias: {
    '@aws-sdk/credential-provider-node': path.join(root, 'functions/lib/aws/lambda-credentials.ts'),
  },
  /** NODE_OPTIONS of every function: stack traces read in the TypeScript sources. */
  nodeOptions: '--enable-source-maps',
} as const;

/**
 * The module Lambda loads (handler `index.handler`); the chunks sit beside it in `chunks/`. The
 * `.mjs` extension is what makes Lambda load it as an ES module, no package.json needed
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html#designate-es-module).
 */
export const LAMBDA_ENTRY_FILE = 'index.mjs';

/**
 * Bundles the handler `entry` into `outdir` as it deploys: `index.mjs`, and with code splitting
 * one chunk per module the handler loads with a dynamic `import()` (with what only it needs),
 * so that a cold start evaluates only the entry and its static imports
 * (functions/lib/aws/clients/). CDK's NodejsFunction cannot split (it always passes
 * `--outfile`), hence this build, which ReboundFunction runs as the asset's local bundling.
 * Returns esbuild's metafile: which inputs went into which output, paths relative to
 * {@link PROJECT_ROOT}.
 */
export const bundleLambda = (entry: string, outdir: string): Metafile => {
  const options: BuildOptions = {
    entryPoints: { index: entry },
    outdir,
    // Metafile paths are relative to the project root, whatever the caller's working directory.
    absWorkingDir: root,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: LAMBDA_BUNDLING.format,
    target: LAMBDA_BUNDLING.target,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    alias: { ...LAMBDA_BUNDLING.alias },
    metafile: true,
    logLevel: 'error',
  };
  return buildSync(options).metafile as Metafile;
};
