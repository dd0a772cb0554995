/**
 * `npm run gameday -- <scenario>|all [--mode dry-run|auto] [--seed N]`: see args.ts. Exit 0
 * every run passed, 1 a run failed its objectives, 2 bad arguments or settings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCliConfig, runCliCommand } from '../cli-kit.js';
import { GAMEDAY_USAGE, gameDayHelp, parseGameDayArgs } from './args.js';
import { judge } from './objectives.js';
import { formatReport, formatSummary } from './report.js';
import { timelineSvg } from './svg.js';

const main = async (args: readonly string[]): Promise<number> => {
  let failed = false;
  const code = await runCliCommand(
    async () => {
      const parsed = parseGameDayArgs(args);
      if (parsed === 'help') {
        console.log(gameDayHelp());
        return;
      }
      // The settings first (cheap), then the app (aws-cdk-lib, seconds): mistakes answer at once.
      const { availabilityZones, recoveryObjectives } = loadCliConfig(parsed.context);
      const { synthesizeIntake } = await import('../synthesized-intake.js');
      const { runGameDay } = await import('./game-day.js');
      const { gameDayAzIds } = await import('./scenarios.js');
      const intake = synthesizeIntake({
        assumeOwned: false,
        context: parsed.context,
        azIdToName: gameDayAzIds(availabilityZones),
      });
      mkdirSync(parsed.reportDir, { recursive: true });
      const rows = [];
      for (const defaults of parsed.scenarios) {
        // Judged against the configured objective of its failure class (`recoveryObjectives`).
        const scenario = {
          ...defaults,
          objectiveMinutes: recoveryObjectives[defaults.failureClass],
        };
        const result = await runGameDay(intake, scenario, parsed.options);
        const verdict = judge(result);
        console.log(formatReport(result, verdict));
        const file = path.join(
          parsed.reportDir,
          `${scenario.name}-${parsed.options.mode}-seed${parsed.options.seed}.svg`,
        );
        writeFileSync(file, timelineSvg(result));
        console.log(`  picture: ${file}\n`);
        rows.push({ result, verdict });
        failed ||= !verdict.pass;
      }
      console.log(formatSummary(rows));
    },
    GAMEDAY_USAGE,
    (line) => console.error(line),
  );
  return code === 0 && failed ? 1 : code;
};

process.exitCode = await main(process.argv.slice(2));
