import { beforeAll, describe, expect, it } from 'vitest';
import { BotocoreModels, botocoreDataDir } from '../../sandbox/checks/botocore-models.js';
import {
  checkSdkIntegrations,
  type StateMachineUnderCheck,
} from '../../sandbox/checks/sdk-integration-contract.js';

// Compliant and non-compliant Tasks against the real botocore models of the machine.

let models: BotocoreModels;
beforeAll(() => {
  models = new BotocoreModels(botocoreDataDir());
});

const sdk = (serviceAction: string) => `arn:aws:states:::aws-sdk:${serviceAction}`;

/** A state machine holding one Task `Act` (plus the given extra state fields). */
const machineWith = (
  task: Record<string, unknown>,
  allowedActions: readonly string[],
): StateMachineUnderCheck => ({
  name: 'test-machine',
  definition: { StartAt: 'Act', States: { Act: { Type: 'Task', End: true, ...task } } },
  allowedActions,
});

const messages = (machine: StateMachineUnderCheck): string[] =>
  checkSdkIntegrations(machine, models).map(({ message }) => message);

const REBOOT = sdk('rds:rebootDBInstance');

describe('a compliant Task', () => {
  it('passes with Java SDK field names, declared errors and its IAM action', () => {
    // Prepare
    const machine = machineWith(
      {
        Resource: REBOOT,
        Parameters: { DbInstanceIdentifier: 'rebound-dev-db', ForceFailover: true },
        Retry: [{ ErrorEquals: ['Rds.RdsException', 'States.TaskFailed'] }],
        Catch: [{ ErrorEquals: ['Rds.DbInstanceNotFoundException', 'States.ALL'], Next: 'Act' }],
      },
      ['rds:RebootDBInstance'],
    );
    // Act
    const findings = checkSdkIntegrations(machine, models);
    // Assess
    expect(findings).toEqual([]);
  });

  it('takes a JSONPath field (`Name.$`) as the member it names', () => {
    // Prepare
    const machine = machineWith(
      { Resource: REBOOT, Parameters: { 'DbInstanceIdentifier.$': '$.dbInstanceId' } },
      ['rds:RebootDBInstance'],
    );
    // Act / Assess
    expect(messages(machine)).toEqual([]);
  });

  it('accepts an IAM wildcard and IAM’s case-insensitive action names', () => {
    // Prepare
    const describe = (allowed: string) =>
      machineWith(
        {
          Resource: sdk('cloudwatch:describeAlarms'),
          Parameters: { AlarmNames: ['a'], AlarmTypes: ['MetricAlarm'] },
        },
        [allowed],
      );
    // Act / Assess: CloudWatch's endpoint is `monitoring`, its IAM prefix `cloudwatch`.
    expect(messages(describe('cloudwatch:Describe*'))).toEqual([]);
    expect(messages(describe('CloudWatch:describealarms'))).toEqual([]);
    expect(messages(describe('monitoring:DescribeAlarms'))).toEqual([
      expect.stringContaining('does not allow cloudwatch:DescribeAlarms'),
    ]);
  });
});

describe('parameters', () => {
  it('finds the RDS name Step Functions rejects, names the right one and the missing member', () => {
    // Prepare: today's rds-failover ForceFailover.
    const machine = machineWith(
      { Resource: REBOOT, Parameters: { DBInstanceIdentifier: 'db', ForceFailover: true } },
      ['rds:RebootDBInstance'],
    );
    // Act
    const findings = messages(machine);
    // Assess
    expect(findings).toEqual([
      'field "DBInstanceIdentifier" is not a member of RebootDBInstance input (did you mean "DbInstanceIdentifier", Step Functions\' name for DBInstanceIdentifier?); members: DbInstanceIdentifier, ForceFailover',
      'required field "DbInstanceIdentifier" of RebootDBInstance input is missing',
    ]);
  });

  it('checks nested structures and their required members', () => {
    // Prepare: Target.RoleArn is required, FlexibleTimeWindow.Mode too.
    const machine = machineWith(
      {
        Resource: sdk('scheduler:createSchedule'),
        Parameters: {
          Name: 's',
          ScheduleExpression: 'at(2030-01-01T00:00:00)',
          FlexibleTimeWindow: { Modes: 'OFF' },
          Target: { Arn: 'arn:aws:states:us-east-1:1:stateMachine:x', RoleARN: 'r' },
        },
      },
      ['scheduler:CreateSchedule'],
    );
    // Act
    const findings = messages(machine);
    // Assess
    expect(findings).toEqual([
      expect.stringMatching(
        /^field "Modes" is not a member of CreateSchedule input FlexibleTimeWindow; members: MaximumWindowInMinutes, Mode$/,
      ),
      'required field "Mode" of CreateSchedule input FlexibleTimeWindow is missing',
      expect.stringMatching(
        /^field "RoleARN" is not a member of CreateSchedule input Target \(did you mean "RoleArn"/,
      ),
      'required field "RoleArn" of CreateSchedule input Target is missing',
    ]);
  });

  it('checks each element of a list of structures', () => {
    // Prepare
    const machine = machineWith(
      {
        Resource: sdk('elasticloadbalancingv2:describeTargetHealth'),
        Parameters: { TargetGroupArn: 'tg', Targets: [{ Id: 'i-1' }, { InstanceId: 'i-2' }] },
      },
      ['elasticloadbalancing:DescribeTargetHealth'],
    );
    // Act / Assess
    expect(messages(machine)).toEqual([
      expect.stringMatching(
        /^field "InstanceId" is not a member of DescribeTargetHealth input Targets\[1\]/,
      ),
      'required field "Id" of DescribeTargetHealth input Targets[1] is missing',
    ]);
  });

  it('checks the values of a map with the Java names (BOOL is Bool)', () => {
    // Prepare
    const machine = machineWith(
      {
        Resource: sdk('dynamodb:putItem'),
        Parameters: { TableName: 't', Item: { pk: { S: 'a' }, done: { BOOL: true } } },
      },
      ['dynamodb:PutItem'],
    );
    // Act / Assess
    expect(messages(machine)).toEqual([
      expect.stringMatching(
        /^field "BOOL" is not a member of PutItem input Item\.done \(did you mean "Bool", Step Functions' name for BOOL\?\)/,
      ),
    ]);
  });
});

describe('service and action', () => {
  it('finds a service the models do not know', () => {
    // Prepare
    const machine = machineWith({ Resource: sdk('relationaldb:rebootDBInstance') }, []);
    // Act / Assess
    expect(messages(machine)).toEqual([
      'aws-sdk:relationaldb: no AWS service is named "relationaldb" in the service models',
    ]);
  });

  it('finds an action the service does not have, with the one it may mean', () => {
    // Prepare
    const machine = machineWith(
      { Resource: sdk('rds:rebootDbInstance'), Parameters: { DbInstanceIdentifier: 'db' } },
      ['rds:RebootDBInstance'],
    );
    // Act / Assess
    expect(messages(machine)).toEqual([
      'aws-sdk:rds:rebootDbInstance: rds has no action rebootDbInstance (did you mean rebootDBInstance?)',
    ]);
  });

  it('finds an iamAction that is not the operation', () => {
    // Prepare
    const machine = machineWith({ Resource: REBOOT, Parameters: { DbInstanceIdentifier: 'db' } }, [
      'rds:RebootDBCluster',
      'xray:PutTraceSegments',
    ]);
    // Act / Assess
    expect(messages(machine)).toEqual([
      "the state machine's role does not allow rds:RebootDBInstance (the Task's iamAction); it allows rds:RebootDBCluster, xray:PutTraceSegments",
    ]);
  });
});

describe('ErrorEquals', () => {
  it.each([
    ['an error RDS never declares (its throttling is Rds.RdsException)', 'Rds.ThrottlingException'],
    ["another service's prefix", 'ElastiCache.ElastiCacheException'],
    ['the API error code without the Java name', 'Rds.DBInstanceNotFoundFault'],
    ['a bare name', 'Throttling'],
  ])('finds %s', (_case, error) => {
    // Prepare
    const machine = machineWith(
      {
        Resource: REBOOT,
        Parameters: { DbInstanceIdentifier: 'db' },
        Retry: [{ ErrorEquals: [error] }],
      },
      ['rds:RebootDBInstance'],
    );
    // Act
    const findings = messages(machine);
    // Assess
    expect(findings).toEqual([expect.stringContaining(`ErrorEquals "${error}" can never match`)]);
  });
});

describe('where Tasks hide', () => {
  it('checks Tasks inside Parallel branches and Map processors, naming the state', () => {
    // Prepare
    const wrong = {
      Type: 'Task',
      Resource: REBOOT,
      Parameters: { DbInstanceIdentifier: 'db', Force: true },
      End: true,
    };
    const machine: StateMachineUnderCheck = {
      name: 'nested',
      definition: {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [{ StartAt: 'InBranch', States: { InBranch: wrong } }],
            Next: 'Each',
          },
          Each: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'InMap', States: { InMap: wrong } },
            End: true,
          },
        },
      },
      allowedActions: ['rds:RebootDBInstance'],
    };
    // Act
    const findings = checkSdkIntegrations(machine, models);
    // Assess
    expect(findings.map(({ state }) => state)).toEqual(['InBranch', 'InMap']);
    expect(findings[0]?.stateMachine).toBe('nested');
  });

  it('leaves Lambda and optimized integrations alone', () => {
    // Prepare
    const machine = machineWith(
      {
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'f', Payload: {} },
        Retry: [{ ErrorEquals: ['Lambda.ServiceException'] }],
      },
      [],
    );
    // Act / Assess
    expect(messages(machine)).toEqual([]);
  });
});
