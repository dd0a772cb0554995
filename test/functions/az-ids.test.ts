import { describe, expect, it } from 'vitest';
import { parseAzIds } from '../../functions/lib/az-ids.js';
import { EXAMPLE_AVAILABILITY_ZONE_IDS } from '../../functions/lib/environments.js';

/** AVAILABILITY_ZONE_IDS, the shop's AZ IDs resolved at deploy, as the functions read it. */

describe('AVAILABILITY_ZONE_IDS', () => {
  it('maps each AZ ID to its AZ name in this account', () => {
    // Act
    const map = parseAzIds(EXAMPLE_AVAILABILITY_ZONE_IDS);

    // Assess
    expect(map).toEqual({
      'use1-az2': 'us-east-1a',
      'use1-az4': 'us-east-1b',
      'use1-az1': 'us-east-1c',
    });
  });

  it.each([
    ['a name where the ID goes', 'us-east-1a=use1-az2', '"us-east-1a=use1-az2"'],
    ['a missing pair', 'use1-az2=us-east-1a,', '""'],
    ['a lone AZ ID', 'use1-az2', '"use1-az2"'],
  ])('fails at cold start with what is wrong on %s', (_what, value, part) => {
    // Act / Assess
    expect(() => parseAzIds(value)).toThrow(
      `AVAILABILITY_ZONE_IDS must be comma-separated <AZ ID>=<AZ name> pairs such as use1-az2=us-east-1a: ${part} is not (the CDK construct resolves them at deploy)`,
    );
  });
});
