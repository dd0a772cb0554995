/**
 * `npm run rto -- [-c key=value]...`: the worst-case fault → recovered and fault → resolved time
 * per failure class, computed from the synthesized settings, next to AWS's floor and the
 * configured `recoveryObjectives` (infra/recovery/rto.ts). Exit 0 every objective met, 1 one is not, 2 bad arguments.
 */
import { ContextArgError, splitContextArgs } from '../../infra/context-args.js';
import { CliError, loadCliConfig, runCliCommand } from '../cli-kit.js';

const USAGE = 'usage: npm run rto -- [-c key=value]...';

const main = async (args: readonly string[]): Promise<number> => {
  let unmet = false;
  const code = await runCliCommand(
    async () => {
      if (args.includes('--help') || args.includes('-h')) {
        console.log(
          `${USAGE}\n\nPrints, per failure class, AWS's floor, the worst case the synthesized settings allow\n(fault → recovered, fault → resolved), what Rebound adds, and the objective.\nExit codes: 0 every objective met, 1 one is not, 2 bad arguments or settings.`,
        );
        return;
      }
      let split: ReturnType<typeof splitContextArgs>;
      try {
        split = splitContextArgs(args);
      } catch (error) {
        if (error instanceof ContextArgError) throw new CliError(2, [`error: ${error.message}`]);
        throw error;
      }
      if (split.rest.length > 0)
        throw new CliError(2, [`error: unexpected argument ${split.rest[0]} (${USAGE})`]);
      const { availabilityZones, region, recoveryObjectives } = loadCliConfig(split.context);
      const { synthesizeIntake } = await import('../synthesized-intake.js');
      const { readShopSettings } = await import('../../infra/recovery/shop-settings.js');
      const { formatBudgets, formatSurgeBudget, recoveryBudgets, surgeBudget, unmetObjectives } =
        await import('../../infra/recovery/rto.js');
      const { SURGE_FACTOR } = await import('./scenarios.js');
      const intake = synthesizeIntake({ assumeOwned: false, context: split.context });
      const settings = readShopSettings(intake.templates.shop, { region, availabilityZones });
      const budgets = recoveryBudgets(settings);
      console.log(formatBudgets(budgets, recoveryObjectives));
      console.log(`\n${formatSurgeBudget(surgeBudget(settings, SURGE_FACTOR))}`);
      unmet = unmetObjectives(budgets, recoveryObjectives).length > 0;
    },
    USAGE,
    (line) => console.error(line),
  );
  return code === 0 && unmet ? 1 : code;
};

process.exitCode = await main(process.argv.slice(2));
