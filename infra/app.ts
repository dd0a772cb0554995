/** CDK CLI entry point (`npx cdk synth|deploy`): context comes from cdk.json and `-c`. */
import { ConfigError } from './config.js';
import { buildReboundApp } from './rebound-app.js';

try {
  const { warnings } = buildReboundApp();
  for (const warning of warnings) console.warn(`warning: ${warning}`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) console.error(`error: ${problem}`);
  process.exit(1);
}
