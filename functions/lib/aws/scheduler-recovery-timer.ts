import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { RecoveryCheck, RecoveryTimer } from '../core/ports.js';
import { recoveryCheckInput } from '../events/recovery-check.js';

/** Where due checks go: the schedule group, the function they invoke, the role they invoke it with. */
export interface RecoveryCheckTarget {
  readonly groupName: string;
  readonly functionArn: string;
  readonly roleArn: string;
  /** Checks Scheduler could not deliver after its retries land here (an alarmed queue). */
  readonly deadLetterQueueArn: string;
}

/**
 * `at(yyyy-mm-ddThh:mm:ss)`, Scheduler's one-time expression (botocore scheduler 2021-06-30,
 * CreateSchedule `ScheduleExpression`), in UTC (`ScheduleExpressionTimezone`).
 */
export const atExpression = (iso: string): string =>
  `at(${new Date(iso).toISOString().slice(0, 19)})`;

const named = (error: unknown, name: string): boolean =>
  error instanceof Error && error.name === name;

/**
 * {@link RecoveryTimer} on EventBridge Scheduler: one one-time schedule per check in the
 * control plane's schedule group, deleted by Scheduler after it ran (`ActionAfterCompletion`
 * DELETE) or by triage when the recovery came first. Names are the checks' own, so a second
 * `CreateSchedule` answers `ConflictException` (already scheduled) and a second
 * `DeleteSchedule` `ResourceNotFoundException` (already gone): both are success here.
 */
export class SchedulerRecoveryTimer implements RecoveryTimer {
  constructor(
    private readonly client: SchedulerClient,
    private readonly target: RecoveryCheckTarget,
  ) {}

  async schedule(check: RecoveryCheck): Promise<void> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: check.name,
          GroupName: this.target.groupName,
          ScheduleExpression: atExpression(check.dueAt),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `Rebound: is incident ${check.incidentId} recovered as promised?`,
          Target: {
            Arn: this.target.functionArn,
            RoleArn: this.target.roleArn,
            Input: JSON.stringify(recoveryCheckInput(check)),
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
            DeadLetterConfig: { Arn: this.target.deadLetterQueueArn },
          },
        }),
      );
    } catch (error) {
      if (!named(error, 'ConflictException')) throw error;
    }
  }

  async cancel(name: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: name, GroupName: this.target.groupName }),
      );
    } catch (error) {
      if (!named(error, 'ResourceNotFoundException')) throw error;
    }
  }
}
