import { SFNClient } from '@aws-sdk/client-sfn';
import type { TaskAnswerer } from '../../approval/ports.js';
import type { RunbookStarter } from '../../core/ports.js';
import { SfnTaskAnswerer } from '../sfn-task-answerer.js';
import { StepFunctionsRunbookStarter } from '../step-functions-runbook-starter.js';

// Starting runbooks and answering their task tokens share one client.
const client = new SFNClient({});

export const createRunbookStarter = (
  stateMachineArns: Readonly<Record<string, string>>,
): RunbookStarter => new StepFunctionsRunbookStarter(client, stateMachineArns);

export const createTaskAnswerer = (): TaskAnswerer => new SfnTaskAnswerer(client);
