import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SchedulerRecoveryTimer } from './scheduler-recovery-timer.js';

/** The recovery timer of a function whose environment has the `RECOVERY_CHECK_*` variables. */
export const recoveryTimerFromEnv = (
  client: SchedulerClient,
  env: {
    readonly RECOVERY_CHECK_GROUP: string;
    readonly RECOVERY_CHECK_FUNCTION_ARN: string;
    readonly RECOVERY_CHECK_ROLE_ARN: string;
    readonly RECOVERY_CHECK_DLQ_ARN: string;
  },
): SchedulerRecoveryTimer =>
  new SchedulerRecoveryTimer(client, {
    groupName: env.RECOVERY_CHECK_GROUP,
    functionArn: env.RECOVERY_CHECK_FUNCTION_ARN,
    roleArn: env.RECOVERY_CHECK_ROLE_ARN,
    deadLetterQueueArn: env.RECOVERY_CHECK_DLQ_ARN,
  });
