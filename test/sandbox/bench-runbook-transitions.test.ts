import { describe, expect, it } from 'vitest';
import { ANNOUNCED_RECOVERY_RUNBOOKS } from '../../functions/lib/core/recovery-announcements.js';
import { RUNBOOKS, type RunbookName } from '../../functions/lib/core/runbook-registry.js';
import { measureRunbookTransitions } from '../../sandbox/bench/runbook-transitions.js';
import { HARNESSES } from '../runbooks/harnesses.js';

/**
 * `npm run bench`'s runbook table, measured as the bench measures it: every registry runbook
 * synthesized and run locally in its contract worlds (synth-heavy: run it under the lock).
 */

describe('bench runbook transitions, measured', () => {
  it('runs every runbook typically and at worst, and tells the announced rounds apart', async () => {
    // Act
    const rows = await measureRunbookTransitions();

    // Assess
    expect(rows.map(({ runbook }) => runbook)).toEqual(RUNBOOKS.map(({ name }) => name));
    for (const { runbook, typical, worst } of rows) {
      const announced = (ANNOUNCED_RECOVERY_RUNBOOKS as readonly string[]).includes(runbook);
      expect(worst.checks, runbook).toBe(HARNESSES[runbook as RunbookName].neverRecovers.checks);
      expect(worst.transitions, runbook).toBeGreaterThan(typical.transitions);
      expect(typical.announced, runbook).toBe(announced);
      // Announced: the round that saw the recovery ended by the event; else a whole poll round.
      if (announced) expect(typical.slackSeconds, runbook).toBe(0);
      else expect(typical.slackSeconds, runbook).toBeGreaterThan(0);
      expect(worst.slackSeconds, runbook).toBeGreaterThan(0);
    }
  });
});
