import type { GameDayResult } from './game-day.js';

/**
 * What a game day must show, per mode. `auto`: the shop recovers and the incident resolves
 * within the scenario's objective, with exactly one incident, at most one page (SMS) and no
 * more changes to the shop than the guardrails allow; for a scenario whose expected outcome is
 * `escalate`, the incident ends `failed` with exactly one page instead; for `absorb`, the shop
 * serves again within the objective with no incident at all. `dry-run`: nothing in the shop
 * changes, with one incident (none for `absorb`) and at most one page all the same, besides one
 * escalation: a dry run changes nothing, so when the fault outlasts the recovery check its report
 * announced, that check escalates as promised (an escalation always pages,
 * functions/lib/core/stalled.ts).
 */

export interface Check {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface Verdict {
  readonly pass: boolean;
  readonly checks: readonly Check[];
  /** Fault to incident resolved, seconds (undefined: never resolved). */
  readonly mttrSeconds?: number;
}

/** At most the first few items, then how many more: a storm's 300 incidents fit one line. */
const LISTED = 3;
const listed = (items: readonly string[]): string =>
  items.length === 0
    ? 'none'
    : [
        ...items.slice(0, LISTED),
        ...(items.length > LISTED ? [`… ${items.length - LISTED} more`] : []),
      ].join(', ');

const seconds = (from: number, to: number | undefined) =>
  to === undefined ? undefined : Math.round((to - from) / 1000);

export const judge = (result: GameDayResult): Verdict => {
  const { measures, scenario, options } = result;
  const mttrSeconds = seconds(measures.faultAt, measures.resolvedAt);
  const paged = result.alerts.filter(({ alert }) => alert.sms !== null);
  const pages = paged.length;
  const escalationPages = paged.filter(({ alert }) => alert.kind === 'escalation').length;
  const objective = scenario.objectiveMinutes * 60;
  const budget = scenario.maxChanges ?? 0;
  const absorb = scenario.expectedOutcome === 'absorb';
  const checks: Check[] = [
    {
      what: absorb ? 'no incident (AWS absorbs it)' : 'one incident',
      ok: result.incidents.length === (absorb ? 0 : 1),
      detail: `${result.incidents.length} incident(s): ${listed(result.incidents.map((i) => `${i.id} ${i.status}`))}`,
    },
    options.mode === 'dry-run'
      ? {
          what: 'at most one page, besides one announced escalation',
          ok: pages - escalationPages <= 1 && escalationPages <= 1,
          detail: `${pages} SMS, ${escalationPages} of them an escalation`,
        }
      : { what: 'at most one page', ok: pages <= 1, detail: `${pages} SMS` },
  ];
  if (options.mode === 'dry-run') {
    checks.push({
      what: 'nothing in the shop changed',
      ok: result.changes.length === 0,
      detail: result.changes.map((c) => `${c.call} ${c.target}`).join(', ') || 'no mutating call',
    });
  } else if (scenario.expectedOutcome === 'escalate') {
    const [incident] = result.incidents;
    checks.push(
      {
        what: 'escalated to a person',
        ok: incident?.status === 'failed' && pages === 1,
        detail: `incident ${incident?.status ?? 'missing'}, ${pages} SMS`,
      },
      {
        what: 'no action beyond the guardrails',
        ok: result.changes.length <= budget,
        detail: `${result.changes.length} change(s), the scenario's guardrails allow ${budget}`,
      },
    );
  } else if (absorb) {
    const recoveredSeconds = seconds(measures.faultAt, measures.recoveredAt);
    checks.push(
      {
        what: `serves again within ${scenario.objectiveMinutes} min`,
        ok: recoveredSeconds !== undefined && recoveredSeconds <= objective,
        detail:
          recoveredSeconds === undefined ? 'not recovered' : `recovered in ${recoveredSeconds} s`,
      },
      {
        what: 'no action beyond the guardrails',
        ok: result.changes.length <= budget,
        detail: `${result.changes.length} change(s), the scenario's guardrails allow ${budget}`,
      },
    );
  } else {
    checks.push(
      {
        what: `resolved within ${scenario.objectiveMinutes} min`,
        ok:
          measures.recoveredAt !== undefined &&
          mttrSeconds !== undefined &&
          mttrSeconds <= objective,
        detail: mttrSeconds === undefined ? 'not resolved' : `MTTR ${mttrSeconds} s`,
      },
      {
        what: 'no action beyond the guardrails',
        ok: result.changes.length <= budget,
        detail: `${result.changes.length} change(s), the scenario's guardrails allow ${budget}`,
      },
    );
  }
  return {
    pass: checks.every((check) => check.ok),
    checks,
    ...(mttrSeconds === undefined ? {} : { mttrSeconds }),
  };
};
