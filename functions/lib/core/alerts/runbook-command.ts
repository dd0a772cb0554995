/**
 * The exact commands a person types to run a runbook by hand (`npm run runbook`, see
 * sandbox/runbook-cli): what an alert offers when Rebound will not act itself. Pure.
 */

/** Values safe to paste inside single quotes and JSON as they are: ids, names, modes. */
const PASTE_SAFE = /^[A-Za-z0-9._:/-]{1,200}$/;

/** The input file a command writes, in the current directory. */
export const RUN_INPUT_FILE = 'rebound-run.json';

/** Fields a person's run leaves out: free text, and triage's request for a dry run. */
const LEFT_OUT = new Set(['reason', 'dryRun']);

/**
 * Two shell lines: write the run's input file, start the runbook on `stage`. Free text
 * (`reason`), `dryRun` (the person's run is meant to act) and any value that is not a plain id
 * are left out: the person may add them.
 */
export const runbookCommandLines = (
  runbook: string,
  input: Readonly<Record<string, string>>,
  stage: string,
  region: string,
): string[] => {
  const fields = Object.fromEntries(
    Object.entries(input).filter(([name, value]) => !LEFT_OUT.has(name) && PASTE_SAFE.test(value)),
  );
  return [
    `echo '${JSON.stringify(fields)}' > ${RUN_INPUT_FILE}`,
    `npm run runbook -- ${runbook} --stage ${stage} --region ${region} --input ${RUN_INPUT_FILE}`,
  ];
};
