import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../sandbox/bench-shop/load.js';

/**
 * `npm run bench:shop`'s load against a small HTTP server on loopback that counts what it gets:
 * the warm-up is sent but not counted, unexpected answers are counted apart, and the
 * Server-Timing durations are collected beside the latencies.
 */

describe('runLoad', () => {
  let server: Server;
  let port: number;
  let received = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      received += 1;
      if (request.url === '/missing') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'server-timing': 'catalog;dur=0.250' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no port');
    port = address.port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts only the measured window, its failures apart, with the server timings', async () => {
    // Prepare: every fourth request asks for a missing page.
    let sent = 0;
    let receivedAtMeasureStart = 0;

    // Act
    const result = await runLoad({
      port,
      concurrency: 3,
      warmupMs: 300,
      measureMs: 400,
      next: () => {
        sent += 1;
        return { method: 'GET', path: sent % 4 === 0 ? '/missing' : '/product' };
      },
      ok: (status) => status === 200,
      onMeasureStart: async () => {
        receivedAtMeasureStart = received;
      },
    });

    // Assess
    const counted = result.latenciesMs.length + (result.failures['404'] ?? 0);
    expect(receivedAtMeasureStart).toBeGreaterThan(0);
    expect(counted).toBeGreaterThan(0);
    // Requests of the warm-up (and those in flight when it ended) are not counted.
    expect(counted).toBeLessThanOrEqual(received - receivedAtMeasureStart + 3);
    expect(result.failures['404']).toBeGreaterThan(0);
    expect(Object.keys(result.failures)).toEqual(['404']);
    expect(result.serverReadMs).toHaveLength(result.latenciesMs.length);
    expect(new Set(result.serverReadMs)).toEqual(new Set([0.25]));
    expect(result.measuredSeconds).toBeGreaterThanOrEqual(0.4);
  });

  it('counts a refused connection as an error, not a latency', async () => {
    // Prepare
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));

    // Act
    const result = await runLoad({
      port: deadPort,
      concurrency: 1,
      warmupMs: 0,
      measureMs: 100,
      next: () => ({ method: 'POST', path: '/api/checkout', body: '{}' }),
      ok: () => true,
    });

    // Assess
    expect(result.latenciesMs).toEqual([]);
    expect(result.failures.error).toBeGreaterThan(0);
  });
});
