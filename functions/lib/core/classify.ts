import type { ReboundEvent } from '../events/rebound-event.js';
import { classifyArcAutoshift } from './classify-arc-zonal-shift.js';
import {
  classifyAutoScalingActivity,
  classifyAutoScalingLifecycle,
  classifyAutoScalingRefresh,
} from './classify-autoscaling.js';
import { classifyAlarm } from './classify-cloudwatch.js';
import { classifyEc2InstanceEvent } from './classify-ec2.js';
import { classifyElastiCacheNotification } from './classify-elasticache.js';
import { classifyHealthEvent } from './classify-health.js';
import { classifyRdsInstanceEvent } from './classify-rds.js';
import { classifyExecutionStatusChange } from './classify-states.js';
import type { ShopInventory } from './inventory.js';
import type { Signal } from './signal.js';

/**
 * Triage's CLASSIFY step (pure): what one accepted event means for the shop.
 * Returns null when the event is not about the shop's resources or not worth a signal.
 */
export function classify(event: ReboundEvent, inventory: ShopInventory): Signal | null {
  switch (event.source) {
    case 'aws.cloudwatch':
      return classifyAlarm(event, inventory);
    case 'aws.autoscaling':
      switch (event['detail-type']) {
        case 'EC2 Instance Launch Successful':
        case 'EC2 Instance Launch Unsuccessful':
        case 'EC2 Instance Terminate Successful':
        case 'EC2 Instance Terminate Unsuccessful':
          return classifyAutoScalingActivity(event, inventory);
        case 'EC2 Instance-launch Lifecycle Action':
        case 'EC2 Instance-terminate Lifecycle Action':
          return classifyAutoScalingLifecycle(event, inventory);
        default:
          return classifyAutoScalingRefresh(event, inventory);
      }
    case 'aws.ec2':
      return classifyEc2InstanceEvent(event, inventory);
    case 'aws.rds':
      return classifyRdsInstanceEvent(event, inventory);
    case 'aws.health':
      return classifyHealthEvent(event, inventory);
    case 'aws.states':
      return classifyExecutionStatusChange(event, inventory);
    case 'rebound.elasticache':
      return classifyElastiCacheNotification(event, inventory);
    case 'aws.arc-zonal-shift':
      return classifyArcAutoshift(event, inventory);
  }
}
