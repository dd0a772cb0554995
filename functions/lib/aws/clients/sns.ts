import { SNSClient } from '@aws-sdk/client-sns';
import type { AlertPublisher } from '../../core/ports.js';
import { SnsAlertPublisher } from '../sns-alert-publisher.js';

const client = new SNSClient({});

export const createAlertPublisher = (topicArn: string): AlertPublisher =>
  new SnsAlertPublisher(client, topicArn);
