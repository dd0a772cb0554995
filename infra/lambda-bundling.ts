import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
