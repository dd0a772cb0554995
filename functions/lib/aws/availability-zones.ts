import { DescribeAvailabilityZonesCommand, type EC2Client } from '@aws-sdk/client-ec2';

const fetchZoneNames = async (client: EC2Client): Promise<Record<string, string>> => {
  const output = await client.send(new DescribeAvailabilityZonesCommand({}));
  const names: Record<string, string> = {};
  for (const zone of output.AvailabilityZones ?? []) {
    if (zone.ZoneId !== undefined && zone.ZoneName !== undefined)
      names[zone.ZoneId] = zone.ZoneName;
  }
  return names;
};

/**
 * AZ IDs (`use1-az2`) differ from AZ names (`us-east-1a`) per account, and AWS Health names
 * only the ID. The mapping never changes for an account, so it is fetched once per container:
 * the returned function memoises the answer (ZoneId -> ZoneName) and forgets a failure so the
 * next call retries. On failure it resolves `{}` (the AZ stays unknown) after telling `onError`.
 */
export function createAzIdResolver(
  client: EC2Client,
  onError: (error: unknown) => void = () => undefined,
): () => Promise<Record<string, string>> {
  let pending: Promise<Record<string, string>> | undefined;
  return () => {
    // Promise reactions run asynchronously, so the reset always follows the assignment.
    pending ??= fetchZoneNames(client).catch((error: unknown) => {
      pending = undefined;
      onError(error);
      return {};
    });
    return pending;
  };
}
