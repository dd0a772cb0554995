import type { Plan } from './decide.js';
import type { Incident } from './incident.js';
import type { Signal } from './signal.js';

/**
 * A Rebound run that ended FAILED, TIMED_OUT or ABORTED, as Step Functions tells triage
 * (classify-states.ts), seen from the incident the run worked for.
 *
 * A run that escalates has said so already: its Escalate step recorded the failure on the
 * incident and paged (functions/lib/runbook/report-outcome.ts), and then the execution ends
 * FAILED by design (the kit's RunbookFailed state). That end is written on the same incident
 * and nothing more: no second incident, no second page. A run that ended without a word (an
 * ASL error such as States.Runtime, a report that crashed, the run's timeout, an abort) told
 * nobody: its incident is escalated with a page, as an escalation always pages.
 */

/**
 * The incident a run triage started works for: triage names each run `<incident id>--<target>`
 * (runbook-registry.ts, runbookExecutionName). Undefined for a run named otherwise (started by
 * hand with `--name`): that one is handled as any runbook failure, in an incident of its own.
 */
export const incidentIdOfRun = (executionName: string): string | undefined =>
  /^(inc-\d{8}T\d{4}-[0-9a-f]{8})--/.exec(executionName)?.[1];

/** The execution a runbook-failure signal is about (its part key is `execution:<arn>`). */
export const executionNameOf = (signal: Signal): string =>
  signal.partKey.split(':').at(-1) ?? signal.partKey;

/** Whether the run recorded its own failure on `incident` and announced it (an alert after it). */
const announcedFailure = (incident: Incident, executionName: string): boolean => {
  const failed = incident.timeline.findIndex(
    (entry) =>
      entry.type === 'runbook' &&
      entry.executionName === executionName &&
      entry.status === 'failed',
  );
  return failed >= 0 && incident.timeline.slice(failed).some((entry) => entry.type === 'alert');
};

/** What triage does about a run's end on the incident it worked for (see the module comment). */
export const planRunEnd = (incident: Incident, signal: Signal): Plan => {
  const execution = executionNameOf(signal);
  if (announcedFailure(incident, execution)) {
    return {
      decision: {
        action: 'suppress',
        runbook: null,
        reason: `${signal.summary}: the run escalated itself (recorded here and paged by its Escalate step); nothing more to tell.`,
      },
    };
  }
  return {
    decision: {
      action: 'notify',
      runbook: null,
      reason: `${signal.summary} without escalating (an ASL error, a crashed step, its timeout or an abort): the automation stopped halfway and told nobody. Escalated: a person must check the execution and take over.`,
    },
    alert: { kind: 'escalation', page: true },
  };
};
