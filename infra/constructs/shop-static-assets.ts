import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DefaultStackSynthesizer, Stack, Token } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import {
  loadStaticAssets,
  STATIC_CACHE_CONTROL,
  STATIC_SOURCE_DIR,
  STATIC_URL_PREFIX,
} from '../../shop/http/static-assets.js';
import { acknowledgeFinding } from '../nag.js';

export interface ShopStaticAssetsProps {
  /** The bucket CloudFront serves `/static/*` from (infra/constructs/edge.ts). */
  readonly bucket: s3.IBucket;
}

/** The key prefix the files go to: CloudFront forwards the path as is, `/static/x` → `static/x`. */
export const STATIC_KEY_PREFIX = STATIC_URL_PREFIX.slice(1);

/**
 * The shop's static files (shop/static/) in the assets bucket under their content-hashed names
 * (shop/http/static-assets.ts), cacheable for a year. Nothing is pruned: during a rolling update
 * the old instances' pages still link the previous names, and a page cached in a browser may
 * ask for them later; a name is never reused for other content, so keeping them is safe, and
 * they are a few kilobytes per release.
 */
export class ShopStaticAssets extends Construct {
  public readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: ShopStaticAssetsProps) {
    super(scope, id);
    // The files staged under the names the pages link; CDK copies the folder into the assembly.
    const staged = mkdtempSync(path.join(tmpdir(), 'rebound-shop-static-'));
    for (const asset of loadStaticAssets(STATIC_SOURCE_DIR).values()) {
      writeFileSync(path.join(staged, asset.hashedName), asset.content);
    }
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.asset(staged)],
      destinationBucket: props.bucket,
      destinationKeyPrefix: STATIC_KEY_PREFIX,
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(STATIC_CACHE_CONTROL)],
    });

    this.acknowledgeHandlerFindings(props.bucket);
  }

  /**
   * cdk-nag findings on CDK's handler of every BucketDeployment in the stack (one Lambda
   * function, its role and policy): CDK builds them, with no option to change what is flagged.
   */
  private acknowledgeHandlerFindings(bucket: s3.IBucket): void {
    const stack = Stack.of(this);
    const handler = stack.node.findChild(
      `Custom::CDKBucketDeployment${BUCKET_DEPLOYMENT_HANDLER_UUID}`,
    );
    // The CDK staging bucket's name as cdk-nag prints it: pseudo parameters for an
    // environment-agnostic stack, the literal account and region when the stage pins them.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    // The bootstrap qualifier the stack synthesizes with (context @aws-cdk/core:bootstrapQualifier).
    const qualifier =
      stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const assetsBucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    const findings: Record<string, string> = {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
        "CDK's BucketDeployment handler: the AWS managed policy lets it write its own CloudWatch logs, nothing else; it runs during deploys only.",
      'AwsSolutions-IAM5[Action::s3:GetObject*]':
        'The deployment handler reads the zipped files from the CDK staging bucket and the objects it replaces in the assets bucket: the GetObject* family (object, version, tags) on those two buckets only.',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]':
        'Bucket-level reads (location, versioning) the AWS CLI inside the deployment handler needs for `aws s3 sync`, on the staging and assets buckets only.',
      'AwsSolutions-IAM5[Action::s3:List*]':
        'Listing is how `aws s3 sync` in the deployment handler compares what is in the assets bucket with the release: the two buckets only.',
      'AwsSolutions-IAM5[Action::s3:Abort*]':
        'Aborting its own multipart uploads when a copy to the assets bucket fails, so no incomplete upload lingers; from grantReadWrite on that bucket.',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]':
        'Granted by CDK with write access to the assets bucket; prune is off, so the handler deletes no file of an earlier release (the pages of old instances link them).',
      [`AwsSolutions-IAM5[Resource::<${assetsBucketId}.Arn>/*]`]:
        'The handler writes the static files under keys it takes from the release (static/<name>.<hash>.<ext>): object-level access to the assets bucket, which holds only static files.',
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-${account}-${region}/*]`]:
        "The CDK staging bucket's object keys are content hashes decided at synthesis; the source asset's grant reads its objects and cannot name the one key without a deploy-time token.",
      'AwsSolutions-L1':
        'The BucketDeployment handler runtime (Python 3.13 in this aws-cdk-lib) is pinned by CDK with its bundled AWS CLI layer; it moves with aws-cdk-lib upgrades.',
      'Serverless-LambdaLatestVersion':
        'CDK chooses the deployment handler runtime together with its AWS CLI layer; it cannot be set, and it is updated by upgrading aws-cdk-lib.',
      'Serverless-LambdaDLQ':
        'CloudFormation calls the deployment handler synchronously through its custom resource: a failure fails and rolls back the deploy, nothing is left to dead-letter.',
      'Serverless-LambdaTracing':
        'The deployment handler copies a few files once per deploy; its outcome is in the CloudFormation events and its own logs, a trace adds nothing.',
    };
    for (const [finding, reason] of Object.entries(findings)) {
      acknowledgeFinding(handler, finding, reason);
    }
  }
}

/** aws-s3-deployment's singleton function UUID, dashes removed (the handler's construct id). */
const BUCKET_DEPLOYMENT_HANDLER_UUID = '8693BB64968944B69AAFB0CC9EB8756C';
