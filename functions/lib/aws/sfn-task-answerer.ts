import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { TaskAnswerer } from '../approval/ports.js';

/** Errors meaning the task no longer waits for this token: timed out, run ended, unknown token. */
const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** {@link TaskAnswerer} over Step Functions SendTaskSuccess. */
export class SfnTaskAnswerer implements TaskAnswerer {
  constructor(private readonly client: SFNClient) {}

  async succeed(
    taskToken: string,
    output: Readonly<Record<string, unknown>>,
  ): Promise<'sent' | 'gone'> {
    try {
      await this.client.send(
        new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }),
      );
      return 'sent';
    } catch (error) {
      if (error instanceof Error && GONE.has(error.name)) return 'gone';
      throw error;
    }
  }
}
