import type { SimulatedAwsApi } from '../../sandbox/gameday/aws-api.js';
import { seededRandom } from '../../sandbox/gameday/random.js';
import {
  type ExecutionRecord,
  type LambdaSteps,
  readRunbookMachines,
  SimulatedRunbooks,
} from '../../sandbox/gameday/runbook-executions.js';
import type { VirtualTime } from '../../sandbox/gameday/virtual-time.js';

/**
 * The game day's runbook executor over a test template's state machines (region us-east-1,
 * prefix rebound-test, seed 1); Lambda steps answer `{}` unless given.
 */
export const probeRunbooks = (
  templates: Parameters<typeof readRunbookMachines>[0],
  { time, api }: { readonly time: VirtualTime; readonly api: SimulatedAwsApi },
  lambdas: LambdaSteps = async () => ({}),
  onEnd: (record: ExecutionRecord) => void = () => undefined,
): SimulatedRunbooks =>
  new SimulatedRunbooks(
    readRunbookMachines(templates, 'us-east-1', 'rebound-test'),
    api,
    lambdas,
    time,
    'us-east-1',
    'rebound-test',
    onEnd,
    seededRandom(1),
  );
