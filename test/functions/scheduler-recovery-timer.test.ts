import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  atExpression,
  SchedulerRecoveryTimer,
} from '../../functions/lib/aws/scheduler-recovery-timer.js';
import type { RecoveryCheck } from '../../functions/lib/core/ports.js';
import { parseRecoveryCheck } from '../../functions/lib/events/recovery-check.js';

const schedulerMock = mockClient(SchedulerClient);
const target = {
  groupName: 'rebound-prod-recovery-checks',
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rebound-prod-triage',
  roleArn: 'arn:aws:iam::123456789012:role/rebound-prod-recovery-checks',
  deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:rebound-prod-triage-dlq',
};
const check: RecoveryCheck = {
  name: 'inc-20261126T0304-0123abcd-89abcdef',
  incidentId: 'inc-20261126T0304-0123abcd',
  partKey: 'asg-launch:rebound-prod-web',
  dueAt: '2026-11-26T03:19:12.000Z',
};
const timer = () => new SchedulerRecoveryTimer(new SchedulerClient({}), target);

beforeEach(() => {
  schedulerMock.reset();
});

describe('SchedulerRecoveryTimer', () => {
  it('creates a one-time schedule at the due time that Scheduler deletes after it ran', async () => {
    // Prepare
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    // Act
    await timer().schedule(check);

    // Assess: members and values as botocore's scheduler model (2021-06-30) declares them.
    expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: check.name,
      GroupName: target.groupName,
      ScheduleExpression: 'at(2026-11-26T03:19:12)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: expect.objectContaining({
        Arn: target.functionArn,
        RoleArn: target.roleArn,
        DeadLetterConfig: { Arn: target.deadLetterQueueArn },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      }),
    });
    const input = schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Target?.Input;
    expect(parseRecoveryCheck(JSON.parse(input ?? 'null'))).toEqual(check);
  });

  it('treats an existing schedule (ConflictException) as scheduled and a missing one as cancelled', async () => {
    // Prepare
    schedulerMock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    schedulerMock
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));

    // Act
    await timer().schedule(check);
    await timer().cancel(check.name);

    // Assess
    expect(schedulerMock).toHaveReceivedCommandWith(DeleteScheduleCommand, {
      Name: check.name,
      GroupName: target.groupName,
    });
  });

  it('lets any other error through (the invocation is retried)', async () => {
    // Prepare
    schedulerMock.on(CreateScheduleCommand).rejects(
      new ValidationException({
        message: 'bad expression',
        Message: 'bad expression',
        $metadata: {},
      }),
    );

    // Act
    const scheduled = timer().schedule(check);

    // Assess
    await expect(scheduled).rejects.toThrow('bad expression');
  });

  it('writes at() without milliseconds, in UTC', () => {
    expect(atExpression('2026-11-26T03:19:12.987Z')).toBe('at(2026-11-26T03:19:12)');
  });

  it('reads only a recovery check as one', () => {
    expect(parseRecoveryCheck({ source: 'aws.health', detail: check })).toBeUndefined();
    expect(
      parseRecoveryCheck({ source: 'rebound.recovery-check', detail: { ...check, dueAt: 'soon' } }),
    ).toBeUndefined();
  });
});
