import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A stand-in for the load balancer in front of the web tier: each new client connection goes to
 * the next target in turn; a target that refuses the connection is skipped (as an ALB stops
 * routing to a target that fails) and the connection goes to the next one. A connection already
 * open to a target that dies is reset, as an ALB answers the requests in flight on a dead target
 * with an error: the client retries.
 */
export interface RoundRobinProxy {
  readonly port: number;
  close(): Promise<void>;
}

export const startRoundRobinProxy = async (
  targetPorts: readonly number[],
): Promise<RoundRobinProxy> => {
  let next = 0;
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  };
  /** Connects to the next target that accepts, trying each once; undefined when none does. */
  const connectNext = (tries: number): Promise<Socket | undefined> =>
    new Promise((resolve) => {
      if (tries === 0) {
        resolve(undefined);
        return;
      }
      const port = targetPorts[next % targetPorts.length] as number;
      next += 1;
      const upstream = connect(port, '127.0.0.1');
      upstream.once('connect', () => resolve(upstream));
      upstream.once('error', () => {
        upstream.destroy();
        resolve(connectNext(tries - 1));
      });
    });
  const server: Server = createServer((client) => {
    track(client);
    client.pause(); // hold the request's bytes until a target is connected
    client.on('error', () => client.destroy());
    void connectNext(targetPorts.length).then((upstream) => {
      if (upstream === undefined || client.destroyed) {
        upstream?.destroy();
        client.destroy();
        return;
      }
      track(upstream);
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no port');
  return {
    port: address.port,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
