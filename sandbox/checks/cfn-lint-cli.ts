/**
 * `npm run cfn-lint`: cfn-lint over every configuration the checks cover (configurations.ts),
 * one line per finding. Exit codes: 0 clean, 1 findings or cfn-lint unavailable (one line
 * saying how to install it).
 */
import { CfnLintUnavailableError, formatCfnLintFinding, lintConfiguration } from './cfn-lint.js';
import { IGNORED_CFN_LINT_RULES } from './cfn-lint-ignores.js';
import { CHECKED_CONFIGURATIONS } from './configurations.js';

const main = (): number => {
  let total = 0;
  for (const [name, context] of Object.entries(CHECKED_CONFIGURATIONS)) {
    let findings: ReturnType<typeof lintConfiguration>;
    try {
      findings = lintConfiguration(context);
    } catch (error) {
      if (!(error instanceof CfnLintUnavailableError)) throw error;
      console.error(`error: ${error.message}`);
      return 1;
    }
    for (const finding of findings) console.log(`${name}: ${formatCfnLintFinding(finding)}`);
    console.log(`cfn-lint ${name}: ${findings.length} finding(s)`);
    total += findings.length;
  }
  const ignored = Object.keys(IGNORED_CFN_LINT_RULES).join(', ');
  console.log(
    `cfn-lint: ${total} error(s) and warning(s) over ${Object.keys(CHECKED_CONFIGURATIONS).length} configurations (ignored, with reasons in sandbox/checks/cfn-lint-ignores.ts: ${ignored})`,
  );
  return total === 0 ? 0 : 1;
};

process.exitCode = main();
