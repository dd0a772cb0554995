/**
 * `npm run diagram [-- --check]`: regenerates the architecture picture in README.md (between its
 * `architecture` markers) from the synthesized templates of the default configuration, offline.
 * `--check` changes nothing and exits 1 when the README's picture is not the generated one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const USAGE = 'usage: npm run diagram [-- --check]';
const HELP = `${USAGE}

Synthesizes the app with the default settings (offline) and writes the Mermaid picture of both
stacks and one incident's path into README.md, between its architecture markers.

  --check     change nothing; exit 1 when README.md's picture differs from the generated one
  -h, --help  print this help

Exit codes: 0 written (or up to date), 1 out of date (--check) or markers missing, 2 bad arguments.`;

const main = async (args: readonly string[]): Promise<number> => {
  const [arg, ...extra] = args;
  if (arg === '--help' || arg === '-h') {
    console.log(HELP);
    return 0;
  }
  if ((arg !== undefined && arg !== '--check') || extra.length > 0) {
    console.error(
      `error: unknown argument ${JSON.stringify(arg === '--check' ? extra[0] : arg)}\n${USAGE}`,
    );
    return 2;
  }
  // Loaded only now (aws-cdk-lib and the whole app): --help and usage errors answer at once.
  const { architectureSection, defaultStackTemplates, replaceArchitectureSection } = await import(
    './architecture-readme.js'
  );
  const readme = readFileSync(README, 'utf8');
  const updated = replaceArchitectureSection(readme, architectureSection(defaultStackTemplates()));
  if (updated === undefined) {
    console.error(
      'error: README.md has no <!-- architecture:begin --> … <!-- architecture:end --> markers',
    );
    return 1;
  }
  if (arg === '--check') {
    if (updated === readme) return 0;
    console.error(
      'error: the architecture picture in README.md is out of date: run npm run diagram',
    );
    return 1;
  }
  if (updated !== readme) writeFileSync(README, updated);
  console.log(
    updated === readme ? 'README.md picture is up to date' : 'README.md picture regenerated',
  );
  return 0;
};

process.exitCode = await main(process.argv.slice(2));
