import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emfDocuments } from '../../shop/emf.js';
import { startEmfEmitter } from '../../shop/emf-emitter.js';
import type { Logger } from '../../shop/logger.js';
import { Metrics } from '../../shop/metrics.js';
import { WEB_TIER_NAMESPACE } from '../../shop/metrics-namespace.js';

/**
 * The shop's CloudWatch metrics as Embedded Metric Format documents (the EMF specification:
 * `_aws.Timestamp`, `_aws.CloudWatchMetrics[].Namespace/Dimensions/Metrics`, each dimension and
 * metric a top-level field, a metric's Values/Counts arrays at most 100 long), sent to a TCP
 * listener that stands for the CloudWatch agent's (tcp:25888).
 */

const counters = { cacheHits: 8, cacheMisses: 2, dbErrors: 1, checkouts: 5, checkoutErrors: 1 };

describe('emfDocuments', () => {
  it('puts the counters of the window under the web group dimension', () => {
    // Act
    const [counterDocument] = emfDocuments({
      autoScalingGroupName: 'rebound-dev-web',
      timestamp: 1_700_000_000_000,
      counters,
      latencies: new Map(),
    });

    // Assess
    expect(counterDocument).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'Rebound/WebTier',
            Dimensions: [['AutoScalingGroupName']],
            Metrics: [
              { Name: 'CacheHits', Unit: 'Count' },
              { Name: 'CacheMisses', Unit: 'Count' },
              { Name: 'DbErrors', Unit: 'Count' },
              { Name: 'Checkouts', Unit: 'Count' },
              { Name: 'CheckoutErrors', Unit: 'Count' },
            ],
          },
        ],
      },
      AutoScalingGroupName: 'rebound-dev-web',
      CacheHits: 8,
      CacheMisses: 2,
      DbErrors: 1,
      Checkouts: 5,
      CheckoutErrors: 1,
    });
  });

  it('sends latencies per route and for the group as Values/Counts of at most 100 values', () => {
    // Prepare: 250 distinct durations on one route, 3 equal ones on another.
    const many = Array.from({ length: 250 }, (_, i) => i / 10);

    // Act
    const [, ...latency] = emfDocuments({
      autoScalingGroupName: 'web',
      timestamp: 1,
      counters,
      latencies: new Map([
        ['GET /api/products/:sku', many],
        ['POST /api/checkout', [12.04, 12.01, 11.96]],
      ]),
    });

    // Assess
    expect(latency).toHaveLength(4);
    const [first] = latency;
    expect(first?._aws).toEqual({
      Timestamp: 1,
      CloudWatchMetrics: [
        {
          Namespace: WEB_TIER_NAMESPACE,
          Dimensions: [['AutoScalingGroupName', 'Route'], ['AutoScalingGroupName']],
          Metrics: [{ Name: 'RequestLatency', Unit: 'Milliseconds' }],
        },
      ],
    });
    const routeValues = latency
      .filter((d) => d.Route === 'GET /api/products/:sku')
      .map((d) => d.RequestLatency as { Values: number[]; Counts: number[] });
    expect(routeValues.map((v) => v.Values.length)).toEqual([100, 100, 50]);
    expect(routeValues.flatMap((v) => v.Counts).reduce((a, b) => a + b)).toBe(250);
    expect(latency.at(-1)).toMatchObject({
      AutoScalingGroupName: 'web',
      Route: 'POST /api/checkout',
      RequestLatency: { Values: [12], Counts: [3] },
    });
  });
});

describe('startEmfEmitter', () => {
  let agent: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    agent = createServer((socket) => {
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => received.push(...text.trim().split('\n')));
    });
    agent.listen(0, '127.0.0.1');
    await once(agent, 'listening');
    port = (agent.address() as { port: number }).port;
  });
  afterAll(() => {
    agent.close();
  });

  it('sends each window once, counters as deltas, and says when the agent is away', async () => {
    // Prepare
    const warnings: string[] = [];
    const logger: Logger = {
      info: () => undefined,
      warn: (_, message) => warnings.push(message),
      error: () => undefined,
    };
    const metrics = new Metrics();
    metrics.cacheHits = 10; // before the emitter: not part of its first window
    const emitter = startEmfEmitter(
      metrics,
      { host: '127.0.0.1', port, autoScalingGroupName: 'web' },
      logger,
      60_000,
      () => 42,
    );
    metrics.cacheHits += 3;
    metrics.checkoutErrors += 1;
    metrics.recordLatency('GET /health', 0.5);

    // Act
    await emitter.flush();
    await emitter.flush();
    const away = startEmfEmitter(
      metrics,
      { host: '127.0.0.1', port: 1, autoScalingGroupName: 'web' },
      logger,
    );
    await away.stop();
    await away.stop();
    await emitter.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    const documents = received.map((line) => JSON.parse(line));
    const windows = documents.filter((d) => 'CacheHits' in d);
    expect(windows.map((d) => [d.CacheHits, d.CheckoutErrors])).toEqual([
      [3, 1],
      [0, 0],
      [0, 0],
    ]);
    expect(documents.filter((d) => d.Route === 'GET /health')).toHaveLength(1);
    expect(documents[0]._aws.Timestamp).toBe(42);
    expect(warnings).toEqual([
      'metrics not sent: the CloudWatch agent EMF listener did not take them',
    ]);
  });
});

describe('Metrics request durations', () => {
  it('keeps none until a reader drains them, so a shop without the EMF emitter does not grow', () => {
    // Prepare
    const metrics = new Metrics();

    // Act
    metrics.recordLatency('GET /health', 0.5);
    const unread = metrics.drainLatencies();
    metrics.recordLatency('GET /health', 0.7);
    const window = metrics.drainLatencies();

    // Assess
    expect(unread.size).toBe(0);
    expect([...window]).toEqual([['GET /health', [0.7]]]);
  });
});
