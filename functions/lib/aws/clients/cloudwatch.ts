import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { targetErrorZones } from '../describe-target-error-zones.js';
import { unhealthyTargetZones } from '../describe-unhealthy-zones.js';
import type { ZoneLookups } from '../zone-locator.js';

const client = new CloudWatchClient({});

export const targetZones: Pick<ZoneLookups, 'unhealthyTargets' | 'targetErrors'> = {
  unhealthyTargets: (query, abortSignal) => unhealthyTargetZones(client, query, abortSignal),
  targetErrors: (query, abortSignal) => targetErrorZones(client, query, abortSignal),
};
