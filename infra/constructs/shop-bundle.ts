import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { bundleShop, SHOP_DIR } from '../shop-bundling.js';

/**
 * The shop as a CDK asset: the esbuild bundle of `shop/server.ts` (infra/shop-bundling.ts),
 * zipped to the CDK assets bucket at deploy. The asset's hash is the bundle's (OUTPUT): a change
 * to what the instances run, and only that, gives a new S3 key, hence new user data, a new
 * launch template version and a rolling update.
 *
 * Tests that read only the template skip bundling (`aws:cdk:bundling-stacks: []`): CDK then
 * stands a fixed hash in for the bundle's.
 */
export interface ShopBundleProps {
  /** Writes the bundle into the folder it is given. @default bundleShop */
  readonly bundle?: (outDir: string) => void;
}

export class ShopBundle extends Construct {
  public readonly asset: s3assets.Asset;

  constructor(scope: Construct, id: string, props: ShopBundleProps = {}) {
    super(scope, id);
    const bundle = props.bundle ?? bundleShop;
    this.asset = new s3assets.Asset(this, 'Asset', {
      path: SHOP_DIR,
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Required by the type, never pulled: the local bundling below always succeeds.
        image: DockerImage.fromRegistry('unused-local-bundling-only'),
        local: {
          tryBundle(outputDir: string): boolean {
            bundle(outputDir);
            return true;
          },
        },
      },
    });
  }

  /**
   * Lets `grantee` download this bundle and nothing else: `s3:GetObject` on its one key.
   * (`Asset.grantRead` would open the whole CDK assets bucket, every other asset included.)
   */
  public grantFetch(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.asset.bucket.arnForObjects(this.asset.s3ObjectKey)],
    });
  }
}
