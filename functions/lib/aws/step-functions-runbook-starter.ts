import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunbookStarter, RunbookStartResult } from '../core/ports.js';

/**
 * ARN of execution `executionName` of a state machine:
 * `arn:aws:states:<region>:<account>:execution:<state machine name>:<execution name>`.
 */
export const executionArnOf = (stateMachineArn: string, executionName: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;

/**
 * Starts runbook executions. Execution names come from the incident, so a repeated start is a
 * no-op: Step Functions returns the running execution for the same name and input, and answers
 * `ExecutionAlreadyExists` otherwise (other input, or the execution already closed) — both mean
 * "this runbook already ran for this incident and target".
 */
export class StepFunctionsRunbookStarter implements RunbookStarter {
  readonly #client: SFNClient;
  readonly #stateMachineArns: Readonly<Record<string, string>>;

  /** @param stateMachineArns state machine ARN by runbook name (`replace-unhealthy-instance`). */
  constructor(client: SFNClient, stateMachineArns: Readonly<Record<string, string>>) {
    this.#client = client;
    this.#stateMachineArns = stateMachineArns;
  }

  async start(
    runbook: string,
    executionName: string,
    input: Readonly<Record<string, unknown>>,
  ): Promise<RunbookStartResult> {
    const stateMachineArn = Object.hasOwn(this.#stateMachineArns, runbook)
      ? this.#stateMachineArns[runbook]
      : undefined;
    if (stateMachineArn === undefined) {
      const known = Object.keys(this.#stateMachineArns).join(', ') || 'none';
      throw new Error(
        `Unknown runbook "${runbook}": no state machine is configured for it (known: ${known}).`,
      );
    }
    try {
      const output = await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: executionName,
          input: JSON.stringify(input),
        }),
      );
      return {
        status: 'started',
        executionArn: output.executionArn ?? executionArnOf(stateMachineArn, executionName),
      };
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionAlreadyExists') {
        return {
          status: 'already-running',
          executionArn: executionArnOf(stateMachineArn, executionName),
        };
      }
      throw error;
    }
  }
}
