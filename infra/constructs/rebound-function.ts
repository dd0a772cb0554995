import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from '../lambda-bundling.js';
import { acknowledgeFinding } from '../nag.js';

export interface ReboundFunctionProps {
  readonly functionName: string;
  readonly description: string;
  /** Path of the handler's TypeScript file (exports `handler`). */
  readonly entry: string;
  readonly environment?: Record<string, string>;
  /** Where failed asynchronous invocations go after Lambda's retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
}

/**
 * A Rebound Lambda function with the project's defaults: Node.js 24 on ARM64, bundled with
 * the local esbuild (never Docker), AWS SDK v3 bundled and tree-shaken, minified ESM with
 * source maps, JSON logs in a log group with a retention, X-Ray tracing, a dead-letter queue,
 * and a role that may write its own logs and nothing else until the caller grants more.
 */
export class ReboundFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  /** The physical name, as a plain string (alarm names are built from it). */
  public readonly functionName: string;

  constructor(scope: Construct, id: string, props: ReboundFunctionProps) {
    super(scope, id);
    this.functionName = props.functionName;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Own role instead of AWSLambdaBasicExecutionRole: write to this function's log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    logGroup.grantWrite(role);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      role,
      functionName: props.functionName,
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      environment: { NODE_OPTIONS: LAMBDA_BUNDLING.nodeOptions, ...props.environment },
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      deadLetterQueue: props.deadLetterQueue,
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: LAMBDA_BUNDLING.target,
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourceMap,
        sourcesContent: LAMBDA_BUNDLING.sourcesContent,
        // Bundle the SDK instead of using the runtime's copy: pinned versions, tree-shaken.
        bundleAwsSDK: true,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        banner: LAMBDA_BUNDLING.banner,
      },
    });
    acknowledgeFinding(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments and PutTelemetryRecords (active tracing) support no resource-level permissions, nor do the read-only Describe calls a caller may add (Auto Scaling, ELB target health).',
    );
  }
}
