import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAzIdResolver } from '../../functions/lib/aws/availability-zones.js';

const ec2Mock = mockClient(EC2Client);

const ZONES = {
  AvailabilityZones: [
    { ZoneName: 'us-east-1a', ZoneId: 'use1-az2', State: 'available' as const },
    { ZoneName: 'us-east-1b', ZoneId: 'use1-az4', State: 'available' as const },
    { ZoneName: 'us-east-1c', ZoneId: 'use1-az6', State: 'available' as const },
  ],
};

beforeEach(() => {
  ec2Mock.reset();
});

describe('createAzIdResolver', () => {
  it('maps AZ IDs to AZ names', async () => {
    // Prepare
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves(ZONES);
    const resolve = createAzIdResolver(new EC2Client({}));

    // Act
    const names = await resolve();

    // Assess
    expect(names).toEqual({
      'use1-az2': 'us-east-1a',
      'use1-az4': 'us-east-1b',
      'use1-az6': 'us-east-1c',
    });
  });

  it('asks EC2 once however often it is called', async () => {
    // Prepare
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves(ZONES);
    const resolve = createAzIdResolver(new EC2Client({}));

    // Act
    await Promise.all([resolve(), resolve()]);
    await resolve();

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeAvailabilityZonesCommand, 1);
  });

  it('resolves {} on failure, reports it, and retries on the next call', async () => {
    // Prepare
    ec2Mock
      .on(DescribeAvailabilityZonesCommand)
      .rejectsOnce(new Error('RequestLimitExceeded'))
      .resolves(ZONES);
    const errors: unknown[] = [];
    const resolve = createAzIdResolver(new EC2Client({}), (error) => errors.push(error));

    // Act
    const first = await resolve();
    const second = await resolve();

    // Assess
    expect(first).toEqual({});
    expect(errors).toHaveLength(1);
    expect(second['use1-az2']).toBe('us-east-1a');
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeAvailabilityZonesCommand, 2);
  });
});
