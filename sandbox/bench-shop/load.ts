import { Agent, request } from 'node:http';
import { CATALOG_READ, serverTimingDuration } from '../../shop/http/server-timing.js';

/**
 * A closed-loop HTTP load: `concurrency` clients, each sending its next request when the last
 * one answered, over kept-alive connections (as a browser or an ALB keeps them). The first
 * `warmupMs` fill the cache and the connection pools and are not counted; then `measureMs` are.
 */

export interface HttpCall {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface LoadResult {
  /** Latency of every counted request that got an expected status, in ms. */
  readonly latenciesMs: number[];
  /** The server's own catalog-read time of those requests (Server-Timing), where it sent one. */
  readonly serverReadMs: number[];
  /** Counted requests by unexpected status (or `error` for a failed connection). */
  readonly failures: Record<string, number>;
  readonly measuredSeconds: number;
}

export interface LoadOptions {
  readonly port: number;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** The next request of a client. */
  readonly next: () => HttpCall;
  readonly ok: (status: number) => boolean;
  /** Called when the warm-up ends and counting begins (e.g. to read the server's counters). */
  readonly onMeasureStart?: () => Promise<void>;
}

interface Answer {
  readonly status: number;
  readonly serverReadMs: number | undefined;
}

const send = (agent: Agent, port: number, call: HttpCall): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: call.method,
        path: call.path,
        headers: {
          ...(call.body === undefined
            ? {}
            : {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(call.body),
              }),
          ...call.headers,
        },
        timeout: 10_000,
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            serverReadMs: serverTimingDuration(
              response.headers['server-timing'] as string | undefined,
              CATALOG_READ,
            ),
          }),
        );
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(call.body);
  });

export const runLoad = async (options: LoadOptions): Promise<LoadResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latenciesMs: number[] = [];
  const serverReadMs: number[] = [];
  const failures: Record<string, number> = {};
  let counting = false;
  // One clock (performance.now) for the window and its length: Date.now's whole milliseconds
  // could end the window a fraction early and divide by a length it never had.
  const warmupEnds = performance.now() + options.warmupMs;
  let measureEnds = Number.POSITIVE_INFINITY;
  const client = async () => {
    while (performance.now() < measureEnds) {
      const call = options.next();
      const counted = counting; // a request started in the warm-up is never counted
      const started = performance.now();
      const answer = await send(agent, options.port, call).catch(() => undefined);
      const elapsed = performance.now() - started;
      if (!counted) continue;
      if (answer !== undefined && options.ok(answer.status)) {
        latenciesMs.push(elapsed);
        if (answer.serverReadMs !== undefined) serverReadMs.push(answer.serverReadMs);
      } else {
        const failure = answer === undefined ? 'error' : String(answer.status);
        failures[failure] = (failures[failure] ?? 0) + 1;
      }
    }
  };
  const clients = Array.from({ length: options.concurrency }, client);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, warmupEnds - performance.now())));
  await options.onMeasureStart?.();
  counting = true;
  const measureStarted = performance.now();
  measureEnds = measureStarted + options.measureMs;
  await Promise.all(clients);
  agent.destroy();
  return {
    latenciesMs,
    serverReadMs,
    failures,
    measuredSeconds: (performance.now() - measureStarted) / 1000,
  };
};
