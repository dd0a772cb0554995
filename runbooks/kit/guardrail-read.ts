import { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { GUARDRAIL_PARAMETER_NAMES } from '../../functions/lib/core/guardrails.js';
import {
  GUARDRAIL_READ_KEY,
  GUARDRAIL_READ_ROOT,
} from '../../functions/lib/runbook/state-paths.js';
import type { RunbookSkeleton } from './skeleton.js';

/**
 * The state machine reads the guardrails itself, right before the step that applies them (the
 * check, the recheck after an approval), and hands them to that step's Lambda in its payload
 * (functions/lib/runbook/guardrail-read.ts): the step bundles carry no SSM client (~88 KB and
 * 0.2–0.6× of an empty handler's cold load each, issue 13) and the kill switch is read at the
 * step, as before.
 *
 * SSM GetParameters with the guardrails' full names, not GetParametersByPath: the names are
 * known (nine, GUARDRAIL_PARAMETERS) and GetParameters takes up to ten (botocore ssm
 * 2014-11-06 ParameterNameList max 10) in one call, while GetParametersByPath answers "on a
 * best-effort basis" and may stop early with a NextToken whatever MaxResults says (its API
 * documentation), which a single Task would silently truncate. A name SSM does not know comes
 * back in `InvalidParameters`; the step parses it as missing (safe side), as the Lambda reader does.
 *
 * A failed read (after the retries) does not escalate: the Catch hands `{ Error, Cause }` to the
 * step, which takes the safe side and counts a GuardrailReadFailures, exactly as the step did
 * when it called SSM itself (functions/lib/aws/guardrail-read-failures.ts).
 */

/** Names of the state reads: one before the check, one before the recheck. */
export const GUARDRAIL_READ_STATES = ['ReadGuardrails', 'RereadGuardrails'] as const;
export type GuardrailReadState = (typeof GUARDRAIL_READ_STATES)[number];

/** A GetParameters read of every guardrail at `$.guardrailRead`, then `step` either way. */
export const readGuardrailsBefore = (
  skeleton: RunbookSkeleton,
  id: GuardrailReadState,
  step: sfn.TaskStateBase,
): tasks.CallAwsService => {
  const names = GUARDRAIL_PARAMETER_NAMES.map((name) => `${skeleton.guardrailPath}${name}`);
  const read = skeleton.callAws(id, {
    service: 'ssm',
    action: 'getParameters',
    parameters: { Names: names },
    iamAction: 'ssm:GetParameters',
    iamResources: names.map((name) =>
      Stack.of(skeleton).formatArn({
        service: 'ssm',
        resource: 'parameter',
        resourceName: name.replace(/^\//, ''),
      }),
    ),
    resultSelector: { parameters: sfn.JsonPath.listAt('$.Parameters') },
    resultPath: GUARDRAIL_READ_ROOT,
  });
  read.addCatch(step, { errors: [sfn.Errors.ALL], resultPath: GUARDRAIL_READ_ROOT });
  read.next(step);
  return read;
};

/** The payload field a guarded step finds the read in. */
export const guardrailReadPayload = (): Record<string, unknown> => ({
  [GUARDRAIL_READ_KEY]: sfn.JsonPath.objectAt(GUARDRAIL_READ_ROOT),
});
