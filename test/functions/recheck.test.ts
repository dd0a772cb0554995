import { describe, expect, it } from 'vitest';
import { DEFAULT_GUARDRAILS, type Guardrails } from '../../functions/lib/core/guardrails.js';
import { recheckAfterApproval } from '../../functions/lib/runbook/recheck.js';

/** The recheck every approving runbook runs after the wait (issue 10 #6). */

const guardrails = (overrides: Partial<Guardrails>) => async () => ({
  guardrails: { ...DEFAULT_GUARDRAILS, mode: 'auto' as const, ...overrides },
  problems: [],
});

describe('recheckAfterApproval', () => {
  it('proceeds when the guardrails still allow it and the live state still needs it', async () => {
    // Act
    const result = await recheckAfterApproval(
      'rds-failover',
      'force a failover',
      async () => undefined,
      { guardrails: guardrails({}) },
    );

    // Assess
    expect(result).toEqual({
      proceed: true,
      reason: 'still needed after approval: force a failover',
    });
  });

  it('does not act when the kill switch was pulled during the wait, without reading the resource', async () => {
    // Prepare
    let read = false;

    // Act
    const result = await recheckAfterApproval(
      'rds-failover',
      'force a failover',
      async () => {
        read = true;
        return undefined;
      },
      { guardrails: guardrails({ mode: 'off' }) },
    );

    // Assess
    expect(result).toEqual({
      proceed: false,
      reason:
        'the automation mode guardrail was turned off while waiting for approval: nothing is done',
    });
    expect(read).toBe(false);
  });

  it('acts in mode dry-run, as the check lets an approved manual run act (only off stops it)', async () => {
    // Act
    const result = await recheckAfterApproval('rds-failover', 'x', async () => undefined, {
      guardrails: guardrails({ mode: 'dry-run' }),
    });

    // Assess
    expect(result.proceed).toBe(true);
  });

  it('does not act when the runbook was disabled during the wait', async () => {
    // Act
    const result = await recheckAfterApproval('rds-failover', 'x', async () => undefined, {
      guardrails: guardrails({ enabledRunbooks: ['scale-out'] }),
    });

    // Assess
    expect(result.proceed).toBe(false);
    expect(result.reason).toMatch(/enabled-runbooks/);
  });

  it("does not act when the runbook's reassessment says what changed", async () => {
    // Act
    const result = await recheckAfterApproval(
      'cache-failover',
      'x',
      async ({ mode }) => `ElastiCache promoted 002 (mode ${mode})`,
      { guardrails: guardrails({}) },
    );

    // Assess
    expect(result).toEqual({
      proceed: false,
      reason: 'no longer needed after approval: ElastiCache promoted 002 (mode auto)',
    });
  });
});
