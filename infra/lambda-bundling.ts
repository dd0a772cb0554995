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
  /** NODE_OPTIONS of every function: stack traces read in the TypeScript sources. */
  nodeOptions: '--enable-source-maps',
} as const;
