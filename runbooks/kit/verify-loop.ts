import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { VERIFY_ROOT, verifyAt } from '../../functions/lib/runbook/state-paths.js';
import type { ReboundFunction } from '../../infra/constructs/rebound-function.js';
import type { RecoveryAnnouncement } from './announced-recovery.js';
import type { RunbookSkeleton } from './skeleton.js';

/** The states of a bounded poll (see {@link pollStates}). */
export interface PollStates {
  readonly start: sfn.Pass;
  readonly wait: sfn.State & sfn.INextable;
  readonly next: sfn.Pass;
}

/**
 * The states of a bounded poll: `start` sets `$.poll` (attempt 0, the first wait), `wait`
 * waits `$.poll.seconds` (a Wait state unless `wait` builds another, named `names.wait`),
 * `next` moves to the next attempt's wait from `scheduleSeconds`. The caller checks
 * `$.poll.attempt` against the schedule's length to stop.
 */
export const pollStates = (
  scope: Construct,
  names: { readonly start: string; readonly wait: string; readonly next: string },
  scheduleSeconds: readonly number[],
  wait?: (name: string) => sfn.State & sfn.INextable,
): PollStates => ({
  start: sfn.Pass.jsonPath(scope, names.start, {
    stateName: names.start,
    parameters: { attempt: 0, seconds: scheduleSeconds[0], schedule: scheduleSeconds },
    resultPath: '$.poll',
  }),
  wait:
    wait?.(names.wait) ??
    sfn.Wait.jsonPath(scope, names.wait, {
      stateName: names.wait,
      time: sfn.WaitTime.secondsPath('$.poll.seconds'),
    }),
  next: sfn.Pass.jsonPath(scope, names.next, {
    stateName: names.next,
    parameters: {
      attempt: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.poll.attempt'), 1),
      seconds: sfn.JsonPath.numberAt(
        'States.ArrayGetItem($.poll.schedule, States.MathAdd($.poll.attempt, 1))',
      ),
      schedule: sfn.JsonPath.listAt('$.poll.schedule'),
    },
    resultPath: '$.poll',
  }),
});

export interface VerifyLoopOptions {
  /** State names start with it, e.g. `Database` → DatabaseStart, DatabaseWait, DatabaseVerify… */
  readonly prefix: string;
  readonly fn: ReboundFunction;
  /** The step the Lambda runs, e.g. `verify`. */
  readonly step: string;
  readonly scheduleSeconds: readonly number[];
  readonly onRecovered: sfn.IChainable;
  /**
   * States run after a check that is not recovered yet, before the next wait (az-evacuation
   * extends its zonal shifts there); built around the state that goes on to the next check.
   */
  readonly beforeNextCheck?: (nextCheck: sfn.IChainable) => sfn.IChainable;
  /**
   * Where AWS announces the recovery: each round waits for triage's answer to its task token
   * (`<prefix>AwaitRecovery`, announced-recovery.ts) instead of a Wait state, at most the
   * round's interval, so the check runs within seconds of the event, or when the round would
   * have ended anyway. The schedule's rounds must then be of one length.
   */
  readonly announcedBy?: RecoveryAnnouncement;
}

/**
 * Closes the loop: waits `scheduleSeconds[i]` before check i, invokes `fn` with its `step`
 * and the guardrail payload (its answer at `$.verify`: `{ recovered, detail }`) until it
 * answers `recovered: true`, then goes on to `onRecovered`. After the last check the run
 * escalates with error `<prefix>NotRecovered` and the last `detail` as cause.
 */
export class VerifyLoop extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(skeleton: RunbookSkeleton, options: VerifyLoopOptions) {
    super(skeleton, `${options.prefix}VerifyLoop`);
    const { prefix, scheduleSeconds } = options;
    const C = sfn.Condition;
    const verify = skeleton.escalateOnError(
      skeleton.invoke(
        `${prefix}Verify`,
        options.fn,
        { step: options.step, ...skeleton.guardrailPayload() },
        VERIFY_ROOT,
      ),
    );
    const { announcedBy } = options;
    const [roundSeconds] = scheduleSeconds;
    if (announcedBy !== undefined && scheduleSeconds.some((seconds) => seconds !== roundSeconds)) {
      throw new Error(
        `${prefix}VerifyLoop: a loop that waits for AWS's announcement needs rounds of one length (its TimeoutSeconds), got [${scheduleSeconds.join(', ')}]`,
      );
    }
    const { start, wait, next } = announcedBy
      ? pollStates(
          this,
          { start: `${prefix}Start`, wait: `${prefix}AwaitRecovery`, next: `${prefix}Next` },
          scheduleSeconds,
          (name) => {
            const round = skeleton.awaitAnnouncedRecovery(name, announcedBy, roundSeconds ?? 0);
            // No announcement this round: check now, as after the Wait it replaces.
            round.addCatch(verify, {
              errors: [sfn.Errors.TIMEOUT],
              resultPath: sfn.JsonPath.DISCARD,
            });
            return skeleton.escalateOnError(round);
          },
        )
      : pollStates(
          this,
          { start: `${prefix}Start`, wait: `${prefix}Wait`, next: `${prefix}Next` },
          scheduleSeconds,
        );
    const minutes = Math.round(scheduleSeconds.reduce((sum, seconds) => sum + seconds, 0) / 60);
    const notRecovered = sfn.Pass.jsonPath(this, `${prefix}NotRecovered`, {
      stateName: `${prefix}NotRecovered`,
      parameters: {
        Error: `${prefix}NotRecovered`,
        Cause: sfn.JsonPath.format(
          `Not recovered after ${scheduleSeconds.length} checks over ~${minutes} min: {}`,
          sfn.JsonPath.stringAt(verifyAt('detail')),
        ),
      },
      resultPath: '$.error',
    });
    next.next(wait);
    start
      .next(wait)
      .next(verify)
      .next(
        sfn.Choice.jsonPath(this, `${prefix}Recovered`, { stateName: `${prefix}Recovered` })
          .when(C.booleanEquals(verifyAt('recovered'), true), options.onRecovered)
          .when(
            C.numberGreaterThanEquals('$.poll.attempt', scheduleSeconds.length - 1),
            notRecovered.next(skeleton.escalate),
          )
          .otherwise(options.beforeNextCheck?.(next) ?? next),
      );
    this.startState = start;
  }
}
