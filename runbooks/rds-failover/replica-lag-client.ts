import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { AwsReplicaLagReader } from './aws-replica-lag-reader.js';

/**
 * The verify step's CloudWatch client (the replicas' ReplicaLag), created when this module is
 * first evaluated: handler.ts imports it dynamically, so the deployed bundle loads CloudWatch with
 * the first verify, not with every cold start of the check and recheck (test/infra/lambda-chunks.test.ts).
 */
export const replicaLagReader = new AwsReplicaLagReader(new CloudWatchClient({}));
