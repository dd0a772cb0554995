import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A stand-in for an AWS endpoint's DNS name (the RDS writer endpoint, the ElastiCache primary
 * endpoint): clients connect to the proxy's fixed port; a failover points it at another node.
 * `retarget` can drop the open connections (RDS: the old primary goes away) or keep them
 * (ElastiCache: the old primary lives on as a replica and answers writes with READONLY).
 */
export interface EndpointProxy {
  readonly port: number;
  retarget(port: number, options: { dropConnections: boolean }): void;
  close(): Promise<void>;
}

export const startEndpointProxy = async (targetPort: number): Promise<EndpointProxy> => {
  let target = targetPort;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no port');
  return {
    port: address.port,
    retarget: (port, { dropConnections }) => {
      target = port;
      if (dropConnections) for (const socket of open) socket.destroy();
    },
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
