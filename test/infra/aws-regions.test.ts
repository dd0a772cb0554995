import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AWS_REGIONS } from '../../infra/aws-regions.js';

/**
 * The region list against AWS's own: botocore's partition metadata (`data/partitions.json`,
 * on every machine of this project and in CI), read offline.
 */

interface Partitions {
  readonly partitions: readonly {
    readonly id: string;
    readonly regions: Record<string, unknown>;
  }[];
}

const botocorePartitionsFile = (): string => {
  const found = spawnSync(
    'python3',
    [
      '-c',
      'import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), "data", "partitions.json"))',
    ],
    { encoding: 'utf8' },
  );
  if (found.status !== 0) {
    throw new Error(`python3 with botocore is needed (pip install botocore): ${found.stderr}`);
  }
  return found.stdout.trim();
};

describe('AWS_REGIONS', () => {
  it("holds exactly the regions of every partition in botocore's partitions.json", () => {
    // Prepare
    const { partitions } = JSON.parse(readFileSync(botocorePartitionsFile(), 'utf8')) as Partitions;

    // Act
    const documented = partitions
      .flatMap((partition) => Object.keys(partition.regions))
      // `aws-global`, `aws-cn-global`…: endpoints of global services, not regions to deploy to.
      .filter((region) => !region.endsWith('-global'))
      .sort();

    // Assess
    expect(documented.length).toBeGreaterThan(30);
    expect([...AWS_REGIONS].sort()).toEqual(documented);
  });
});
