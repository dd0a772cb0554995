/**
 * AZ IDs (`use1-az2`) differ from AZ names (`us-east-1a`) per account, and AWS Health and ARC
 * name AZs by ID. The map of the shop's AZs is resolved once at deploy
 * (infra/constructs/availability-zone-ids.ts calls ec2:DescribeAvailabilityZones) and given to
 * the functions as `AVAILABILITY_ZONE_IDS`: `use1-az2=us-east-1a,use1-az4=us-east-1b,…`, so no
 * function loads the EC2 client (~550 KB) to ask at run time.
 */

const PAIR = /^([a-z]{2,6}\d{1,2}-az\d{1,2})=([a-z]{2,4}(?:-[a-z]+)+-\d+[a-z])$/;

/**
 * AZ ID → AZ name from the `AVAILABILITY_ZONE_IDS` value; throws naming the variable, the bad
 * part and the expected form, so a wrong deploy fails at cold start instead of mapping nothing.
 */
export const parseAzIds = (
  value: string,
  name = 'AVAILABILITY_ZONE_IDS',
): Record<string, string> => {
  const map: Record<string, string> = {};
  for (const part of value.split(',').map((item) => item.trim())) {
    const match = PAIR.exec(part);
    if (match === null) {
      throw new Error(
        `${name} must be comma-separated <AZ ID>=<AZ name> pairs such as use1-az2=us-east-1a: ${JSON.stringify(part)} is not (the CDK construct resolves them at deploy)`,
      );
    }
    const [, id, zone] = match as unknown as [string, string, string];
    map[id] = zone;
  }
  return map;
};
