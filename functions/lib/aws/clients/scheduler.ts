import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { RecoveryTimer } from '../../core/ports.js';
import { recoveryTimerFromEnv } from '../recovery-timer-from-env.js';

const client = new SchedulerClient({});

export const createRecoveryTimer = (
  env: Parameters<typeof recoveryTimerFromEnv>[1],
): RecoveryTimer => recoveryTimerFromEnv(client, env);
