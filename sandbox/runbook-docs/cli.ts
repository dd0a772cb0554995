/**
 * `npm run docs`: rewrites the input table of every runbook's README from the registry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RUNBOOKS } from '../../functions/lib/core/runbook-registry.js';
import { withInputTable } from './input-table.js';

for (const runbook of RUNBOOKS) {
  const file = fileURLToPath(new URL(`../../runbooks/${runbook.name}/README.md`, import.meta.url));
  const before = readFileSync(file, 'utf8');
  const after = withInputTable(before, runbook);
  if (after !== before) writeFileSync(file, after);
  console.log(`${after === before ? 'unchanged' : 'updated  '} runbooks/${runbook.name}/README.md`);
}
