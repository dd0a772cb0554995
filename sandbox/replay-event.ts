import type { Alert } from '../functions/lib/core/alert.js';
import { classify } from '../functions/lib/core/classify.js';
import type { ParsedGuardrails } from '../functions/lib/core/guardrails.js';
import {
  type Clock,
  IncidentConflictError,
  type RunbookStarter,
} from '../functions/lib/core/ports.js';
import { type TriageOutcome, triageSignal } from '../functions/lib/core/triage.js';
import { parseIncomingEvent, type ReboundEvent } from '../functions/lib/events/index.js';
import { MemoryActionLedger, MemoryIncidentStore } from '../functions/lib/memory-store.js';
import type { SynthesizedIntake } from './synthesized-intake.js';

/**
 * Replays events through the real intake patterns and the real triage core, with in-memory
 * incidents and ledger and no AWS calls. One replay session keeps its incidents across events,
 * so a sequence of files plays out like the real thing.
 */

export interface ReplayLine {
  readonly file: string;
  readonly eventId: string | null;
  readonly matchedRules: readonly string[];
  readonly signal: TriageOutcome['signal'];
  readonly incident: {
    readonly id: string;
    readonly severity: string;
    readonly status: string;
  } | null;
  readonly decision: {
    readonly action: string;
    readonly runbook: string | null;
    readonly reason: string;
  };
  readonly alerts: {
    readonly email: { readonly subject: string; readonly body: string } | null;
    readonly sms: string | null;
  };
  readonly error?: string;
}

/** Offline stand-in for Step Functions: records the start, returns a plausible execution ARN. */
const offlineRunbooks = (region: string, namePrefix: string): RunbookStarter => {
  const started = new Set<string>();
  return {
    start: async (runbook, executionName) => {
      const executionArn = `arn:aws:states:${region}:123456789012:execution:${namePrefix}-${runbook}:${executionName}`;
      const status = started.has(executionArn) ? 'already-running' : 'started';
      started.add(executionArn);
      return { status, executionArn };
    },
  };
};

/** The clock follows the events' own times (never backwards), so windows behave as they did. */
const eventClock = () => {
  let now = 0;
  const clock: Clock = { now: () => new Date(now) };
  const advanceTo = (time: string) => {
    const millis = Date.parse(time);
    if (!Number.isNaN(millis)) now = Math.max(now, millis);
    if (now === 0) now = Date.now();
  };
  return { clock, advanceTo };
};

export class ReplaySession {
  readonly #intake: SynthesizedIntake;
  readonly #guardrails: ParsedGuardrails;
  readonly #store = new MemoryIncidentStore();
  readonly #ledger = new MemoryActionLedger();
  readonly #time = eventClock();
  readonly #runbooks: RunbookStarter;

  constructor(intake: SynthesizedIntake, guardrails: ParsedGuardrails) {
    this.#intake = intake;
    this.#guardrails = guardrails;
    this.#runbooks = offlineRunbooks(intake.config.region, intake.inventory.namePrefix);
  }

  /** One line per event in the file (an SNS delivery may carry several); never throws on input. */
  async replay(file: string, text: string): Promise<ReplayLine[]> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return [ignoredLine(file, null, INVALID, `not JSON: ${(error as Error).message}`)];
    }
    const parsed = parseIncomingEvent(raw);
    if (!parsed.ok) return [ignoredLine(file, null, INVALID, parsed.reason)];
    const lines: ReplayLine[] = [];
    for (const event of parsed.events) lines.push(await this.#replayEvent(file, raw, event));
    return lines;
  }

  async #replayEvent(file: string, raw: unknown, event: ReboundEvent): Promise<ReplayLine> {
    const viaSns = event.source === 'rebound.elasticache';
    const matchedRules = viaSns
      ? [this.#intake.cacheNotificationIntake]
      : this.#intake.rules.filter((rule) => rule.matches(raw)).map((rule) => rule.name);
    if (matchedRules.length === 0) {
      return ignoredLine(
        file,
        event.id,
        'No intake rule matches this event: it would never reach triage.',
      );
    }
    this.#time.advanceTo(event.time);
    const alerts: Alert[] = [];
    const outcome = await this.#triage(event, alerts);
    if (outcome === null) {
      // The replay has no idempotency layer (AWS's samples share event ids), so a repeated
      // event may reopen its closed incident under the id it already has: report, go on.
      return ignoredLine(
        file,
        event.id,
        'The same event again after its incident closed: in Lambda the idempotency layer drops it.',
        'incident conflict: this event id already opened an incident that is now closed',
      );
    }
    const alert = alerts[0];
    return {
      file,
      eventId: event.id,
      matchedRules,
      signal: outcome.signal,
      incident:
        outcome.incident === null
          ? null
          : {
              id: outcome.incident.id,
              severity: outcome.incident.severity,
              status: outcome.incident.status,
            },
      decision: {
        action: outcome.decision.action,
        runbook: outcome.decision.runbook,
        reason: outcome.decision.reason,
      },
      alerts: {
        email: alert === undefined ? null : { subject: alert.subject, body: alert.email },
        sms: alert?.sms ?? null,
      },
    };
  }

  /** Triage with in-memory adapters; null when a conflicting incident write made it give up. */
  async #triage(event: ReboundEvent, alerts: Alert[]): Promise<TriageOutcome | null> {
    try {
      return await triageSignal(classify(event, this.#intake.inventory), {
        stage: this.#intake.config.stage,
        region: this.#intake.config.region,
        store: this.#store,
        ledger: this.#ledger,
        guardrails: async () => this.#guardrails,
        runbooks: this.#runbooks,
        alerts: {
          publish: async (alert) => {
            alerts.push(alert);
            return undefined;
          },
        },
        clock: this.#time.clock,
      });
    } catch (error) {
      if (error instanceof IncidentConflictError) return null;
      throw error;
    }
  }
}

/** A line for an event (or input) that goes no further: action `ignore`, with the reason. */
export const ignoredLine = (
  file: string,
  eventId: string | null,
  reason: string,
  error?: string,
): ReplayLine => ({
  file,
  eventId,
  matchedRules: [],
  signal: null,
  incident: null,
  decision: { action: 'ignore', runbook: null, reason },
  alerts: { email: null, sms: null },
  ...(error === undefined ? {} : { error }),
});

const INVALID = 'Not a valid event: logged and acknowledged without action.';
