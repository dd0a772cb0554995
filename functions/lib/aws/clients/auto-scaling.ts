import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { GroupInstance } from '../../core/inventory.js';
import { lookUpGroupInstance } from '../group-instances.js';

/** Shared with the resource enricher (clients/fleet.ts): one Auto Scaling client per container. */
export const autoScaling = new AutoScalingClient({});

export const groupInstanceOf = (
  groupName: string,
  instanceId: string,
): Promise<Record<string, GroupInstance>> =>
  lookUpGroupInstance(autoScaling, groupName, instanceId);
