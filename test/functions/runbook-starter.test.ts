import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsRunbookStarter } from '../../functions/lib/aws/step-functions-runbook-starter.js';

const STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:123456789012:stateMachine:rebound-prod-replace-unhealthy-instance';
const EXECUTION_NAME = 'inc-20261126T0304-ab12cd34--i-0abc';
const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:rebound-prod-replace-unhealthy-instance:${EXECUTION_NAME}`;

const sfnMock = mockClient(SFNClient);

const starter = () =>
  new StepFunctionsRunbookStarter(new SFNClient({}), {
    'replace-unhealthy-instance': STATE_MACHINE_ARN,
  });

beforeEach(() => {
  sfnMock.reset();
});

describe('StepFunctionsRunbookStarter', () => {
  it('starts the runbook state machine with the execution name and the JSON input', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
    const input = { incidentId: 'inc-20261126T0304-ab12cd34', instanceId: 'i-0abc' };

    // Act
    const result = await starter().start('replace-unhealthy-instance', EXECUTION_NAME, input);

    // Assess
    expect(result).toEqual({ status: 'started', executionArn: EXECUTION_ARN });
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(sent?.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(sent?.name).toBe(EXECUTION_NAME);
    expect(JSON.parse(sent?.input ?? 'null')).toEqual(input);
  });

  it('answers already-running with the derived execution ARN when the name exists', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    // Act
    const result = await starter().start('replace-unhealthy-instance', EXECUTION_NAME, {});

    // Assess
    expect(result).toEqual({ status: 'already-running', executionArn: EXECUTION_ARN });
  });

  it('rethrows any other error', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).rejects(new Error('AccessDeniedException: not allowed'));

    // Act
    const starting = starter().start('replace-unhealthy-instance', EXECUTION_NAME, {});

    // Assess
    await expect(starting).rejects.toThrow('not allowed');
  });

  it.each(['restart-the-world', 'constructor'])(
    'refuses unknown runbook %s, naming it, without calling Step Functions',
    async (runbook) => {
      // Act
      const starting = starter().start(runbook, EXECUTION_NAME, {});

      // Assess
      await expect(starting).rejects.toThrow(`Unknown runbook "${runbook}"`);
      expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
    },
  );
});
