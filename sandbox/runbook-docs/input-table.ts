import type {
  DeployedResource,
  RunbookDefinition,
} from '../../functions/lib/core/runbook-registry.js';
import { allowedValue, requirementOf } from '../../functions/lib/runbook/run-input.js';

/**
 * The input table of a runbook's README (runbooks/<name>/README.md), generated from its
 * registry row so the page cannot drift from what ValidateInput, the step Lambda and the CLI
 * accept. `npm run docs` writes it between the markers; a test checks the committed pages.
 */

export const TABLE_BEGIN =
  '<!-- input table: generated from the runbook registry by `npm run docs` -->';
export const TABLE_END = '<!-- end of input table -->';

/** How the docs name what a deploy names: the stage's own resources. */
const DOC_NAMES: Readonly<Record<DeployedResource, readonly string[]>> = {
  'web-group': ['`rebound-<stage>-web`'],
  'primary-db': ['`rebound-<stage>-db`'],
  'db-replica': ['`rebound-<stage>-db-replica-1`', '`rebound-<stage>-db-replica-2`'],
  'cache-group': ['`rebound-<stage>-cache`'],
  'availability-zone': ['the three AZ names of the `availabilityZones` setting'],
};

const cell = (text: string): string => text.replaceAll('|', '\\|');

export const inputTable = (runbook: RunbookDefinition): string =>
  [
    TABLE_BEGIN,
    '| Field | Required | Allowed | Meaning |',
    '| --- | --- | --- | --- |',
    ...runbook.input.map(
      (field) =>
        `| \`${field.name}\` | ${requirementOf(field)} | ${cell(allowedValue(field, { ...DOC_NAMES, namePrefix: '`rebound-<stage>`' }))} | ${cell(field.meaning)} |`,
    ),
    TABLE_END,
  ].join('\n');

/** `readme` with its input table replaced by the generated one (markers required). */
export const withInputTable = (readme: string, runbook: RunbookDefinition): string => {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin === -1 || end < begin) {
    throw new Error(
      `runbooks/${runbook.name}/README.md has no generated input table: add the two marker lines ${TABLE_BEGIN} and ${TABLE_END} under "## Input", then run npm run docs`,
    );
  }
  return readme.slice(0, begin) + inputTable(runbook) + readme.slice(end + TABLE_END.length);
};
