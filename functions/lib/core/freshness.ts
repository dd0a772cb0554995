import type { Signal } from './signal.js';

/**
 * Only live signals act. An event replayed from the EventBridge archive (it carries
 * `replay-name`, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-replay-archived-event.html)
 * or one older than this many minutes by its envelope `time` describes a past the shop may have
 * left long ago: triage records and renders it, but starts no runbook and pages nobody.
 */
export const MAX_EVENT_AGE_MINUTES = 15;

/** Why a signal may not act: not live (here) or not the shop's own (`Signal.untrusted`). */
export type HeldBack = 'replayed' | 'stale' | 'untrusted';

export interface Staleness {
  readonly heldBack: HeldBack;
  /** For people: why nothing acts on it. */
  readonly why: string;
}

/**
 * Why `signal` must not act at `now`, or undefined when it is live. `checkAge: false` is for the
 * offline replay, which delivers old documented samples as if live at their own time.
 */
export const stalenessOf = (signal: Signal, now: Date, checkAge = true): Staleness | undefined => {
  const { replayName, time } = signal.source;
  if (replayName !== undefined) {
    return {
      heldBack: 'replayed',
      why: `the event was replayed from the archive (replay ${replayName}), not sent live`,
    };
  }
  if (!checkAge) return undefined;
  const sent = Date.parse(time);
  // An unparsable time cannot prove the event is live.
  const minutes = Number.isNaN(sent) ? Number.POSITIVE_INFINITY : (now.getTime() - sent) / 60_000;
  if (minutes > MAX_EVENT_AGE_MINUTES) {
    const age = Number.isFinite(minutes)
      ? `${Math.floor(minutes)} min old`
      : `of unknown age (time "${time}")`;
    return {
      heldBack: 'stale',
      why: `the event is ${age}, more than ${MAX_EVENT_AGE_MINUTES} min`,
    };
  }
  return undefined;
};
