/**
 * What a code-split bundle loads, read from esbuild's metafile (infra/lambda-bundling.ts): the
 * outputs a module evaluates with it (its static imports, transitively), and the chunk each
 * dynamically imported module became. Paths as in the metafile: relative to the project root.
 */
import type { Metafile } from 'esbuild';

/** `outputs` and every output they import statically, transitively: what loading them loads. */
export const loadedWith = (metafile: Metafile, outputs: readonly string[]): string[] => {
  const loaded = new Set<string>();
  const visit = (output: string) => {
    if (loaded.has(output)) return;
    const meta = metafile.outputs[output];
    if (meta === undefined) throw new Error(`${output} is no output of this bundle`);
    loaded.add(output);
    for (const imported of meta.imports) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  for (const output of outputs) visit(output);
  return [...loaded];
};

/** The source files whose code is in `outputs`. */
export const inputsOf = (metafile: Metafile, outputs: readonly string[]): string[] =>
  outputs.flatMap((output) => Object.keys(metafile.outputs[output]?.inputs ?? {}));

/** The JavaScript outputs (source maps left out). */
export const codeOutputs = (metafile: Metafile): string[] =>
  Object.keys(metafile.outputs).filter((output) => !output.endsWith('.map'));

/** The output of the bundle's entry point (`index`), the module Lambda loads. */
export const entryOutput = (metafile: Metafile): string => {
  const [entry, ...others] = codeOutputs(metafile).filter(
    (output) => metafile.outputs[output]?.entryPoint !== undefined && !output.includes('/chunks/'),
  );
  if (entry === undefined || others.length > 0) throw new Error('expected one entry output');
  return entry;
};

/**
 * The chunk each module the bundle imports dynamically became, by that module's path: what its
 * first `import()` loads (with {@link loadedWith} its shared chunks).
 */
export const dynamicChunks = (metafile: Metafile): Map<string, string> =>
  new Map(
    codeOutputs(metafile).flatMap((output) => {
      const source = metafile.outputs[output]?.entryPoint;
      return source !== undefined && output.includes('/chunks/') ? [[source, output]] : [];
    }),
  );

/** Total size of `outputs`, in bytes. */
export const bytesOf = (metafile: Metafile, outputs: readonly string[]): number =>
  outputs.reduce((sum, output) => sum + (metafile.outputs[output]?.bytes ?? 0), 0);
