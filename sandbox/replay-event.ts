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
import { alarmNameNote, type ClosestRule, closestRule, noMatchReason } from './replay-explain.js';
import { readEvents } from './replay-input.js';
import type { SynthesizedIntake } from './synthesized-intake.js';

/**
 * Replays events through the real intake patterns and the real triage core, with in-memory
 * incidents and ledger and no AWS calls. One replay session keeps its incidents across events,
 * so a sequence of files plays out like the real thing.
 */

export interface ReplayLine {
  readonly file: string;
  /** Where the event sits in its file (`line 3`, `item 2`); null when the file is one event. */
  readonly position: string | null;
  readonly eventId: string | null;
  readonly matchedRules: readonly string[];
  /** When no rule matched: the rule the event came closest to and the fields it failed. */
  readonly closestRule: ClosestRule | null;
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
  /** What else a person should know (e.g. an alarm whose name the shop stack does not deploy). */
  readonly notes: readonly string[];
  readonly error?: string;
}

/** Where a line comes from: its file and its place in it. */
interface Origin {
  readonly file: string;
  readonly position: string | null;
}

/** An EventBridge event, as far as routing needs: what rules are matched against. */
const isEventBridgeEvent = (raw: unknown): boolean =>
  typeof raw === 'object' &&
  raw !== null &&
  typeof (raw as Record<string, unknown>).source === 'string' &&
  typeof (raw as Record<string, unknown>)['detail-type'] === 'string';

const eventIdOf = (raw: unknown): string | null => {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
};

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

  /**
   * One line per event in the file (one event, a JSON array, JSON Lines or a log export; an SNS
   * delivery may carry several); never throws on input.
   */
  async replay(file: string, text: string): Promise<ReplayLine[]> {
    const lines: ReplayLine[] = [];
    for (const { position, value } of readEvents(text)) {
      const origin = { file, position };
      if (value.ok) lines.push(...(await this.#replayValue(origin, value.json)));
      else lines.push(ignoredLine(origin, null, INVALID, value.error));
    }
    return lines;
  }

  /** As AWS does it: the rules first (an event no rule takes never reaches triage), then triage. */
  async #replayValue(origin: Origin, raw: unknown): Promise<ReplayLine[]> {
    let matchedRules: string[] = [this.#intake.cacheNotificationIntake];
    let closest: ClosestRule | null = null;
    if (isEventBridgeEvent(raw)) {
      matchedRules = this.#intake.rules
        .filter((rule) => rule.matches(raw))
        .map((rule) => rule.name);
      if (matchedRules.length === 0) closest = closestRule(this.#intake.rules, raw);
    }
    const note = this.#intake.inventory.assumeOwned
      ? undefined
      : alarmNameNote(raw, closest, this.#intake.shopAlarmNames);
    const notes = note === undefined ? [] : [note];
    if (matchedRules.length === 0) {
      const reason = noMatchReason(this.#intake.rules, raw, closest);
      return [{ ...ignoredLine(origin, eventIdOf(raw), reason), closestRule: closest, notes }];
    }
    const parsed = parseIncomingEvent(raw);
    if (!parsed.ok) return [ignoredLine(origin, eventIdOf(raw), INVALID, parsed.reason)];
    const lines: ReplayLine[] = [];
    for (const event of parsed.events) {
      lines.push({ ...(await this.#replayEvent(origin, matchedRules, event)), notes });
    }
    return lines;
  }

  async #replayEvent(
    origin: Origin,
    matchedRules: readonly string[],
    event: ReboundEvent,
  ): Promise<ReplayLine> {
    this.#time.advanceTo(event.time);
    const alerts: Alert[] = [];
    const outcome = await this.#triage(event, alerts);
    if (outcome === null) {
      // The replay has no idempotency layer (AWS's samples share event ids), so a repeated
      // event may reopen its closed incident under the id it already has: report, go on.
      return ignoredLine(
        origin,
        event.id,
        'The same event again after its incident closed: in Lambda the idempotency layer drops it.',
        'incident conflict: this event id already opened an incident that is now closed',
      );
    }
    const alert = alerts[0];
    return {
      ...origin,
      eventId: event.id,
      matchedRules,
      closestRule: null,
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
      notes: [],
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
        // Each event is replayed as delivered live at its own time (see eventClock).
        checkEventAge: false,
      });
    } catch (error) {
      if (error instanceof IncidentConflictError) return null;
      throw error;
    }
  }
}

/** A line for an event (or input) that goes no further: action `ignore`, with the reason. */
export const ignoredLine = (
  origin: Origin,
  eventId: string | null,
  reason: string,
  error?: string,
): ReplayLine => ({
  ...origin,
  eventId,
  matchedRules: [],
  closestRule: null,
  signal: null,
  incident: null,
  decision: { action: 'ignore', runbook: null, reason },
  alerts: { email: null, sms: null },
  notes: [],
  ...(error === undefined ? {} : { error }),
});

const INVALID = 'Not a valid event: logged and acknowledged without action.';
