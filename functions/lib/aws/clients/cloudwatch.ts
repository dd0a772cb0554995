import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { unhealthyTargetZones } from '../describe-unhealthy-zones.js';
import type { ZoneLookups } from '../zone-locator.js';

const client = new CloudWatchClient({});

export const targetZones: Pick<ZoneLookups, 'unhealthyTargets'> = {
  unhealthyTargets: (query, abortSignal) => unhealthyTargetZones(client, query, abortSignal),
};
