import { chmodSync, chownSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { postgresBinDir } from './binaries.js';
import { freePort, ownedTempDir, type RunAs, run, serverUser } from './processes.js';

/**
 * A PostgreSQL primary and a streaming replica on loopback, in a temp folder, as the shop's
 * Multi-AZ primary and read replica are in AWS. Trust authentication on 127.0.0.1 only: the
 * servers live as long as the run and listen nowhere else.
 */

export interface PostgresNode {
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;
  readonly url: string;
}

export interface PostgresPair {
  readonly primary: PostgresNode;
  readonly replica: PostgresNode;
  /** `pg_ctl promote` of the replica: it leaves recovery and takes writes. */
  promoteReplica(): Promise<void>;
  /** Waits (bounded) until the replica has replayed everything the primary has written so far. */
  replicaCaughtUp(timeoutMs?: number): Promise<void>;
  /** Stops one node at once (`-m immediate`: connections drop as in a crash). */
  stopNode(node: PostgresNode): Promise<void>;
  stop(): Promise<void>;
  /** With `tls`: the PEM file of the CA that signed both servers' certificate. */
  readonly caFile?: string;
}

export const DATABASE = 'shop';

const SETTINGS = [
  "listen_addresses = '127.0.0.1'",
  'wal_level = replica',
  'max_wal_senders = 5',
  'hot_standby = on',
  // A local, throwaway cluster: durability off, small memory, fast start and stop.
  'fsync = off',
  'full_page_writes = off',
  'shared_buffers = 32MB',
  'max_connections = 100',
];

/**
 * Members of this role log in with a password over TCP, as every role does on RDS (the others
 * are trusted on loopback): for the tests that change a password under a running shop.
 */
export const PASSWORD_LOGIN_ROLE = 'password_login';

const HBA = [
  'local all all trust',
  `host all +${PASSWORD_LOGIN_ROLE} 127.0.0.1/32 scram-sha-256`,
  'host all all 127.0.0.1/32 trust',
  'host replication all 127.0.0.1/32 trust',
].join('\n');

/**
 * Synchronous replication as RDS Multi-AZ has it: a commit is acknowledged once the standby
 * has it, so promoting the standby loses no acknowledged order. Set on the primary once the
 * replica streams (ALTER SYSTEM, so the replica's copy of the config never has it: promoted,
 * it must not wait for a standby of its own).
 */
const makeReplicationSynchronous = async (primary: PostgresNode): Promise<void> => {
  const client = new pg.Client(primary.url);
  await client.connect();
  try {
    await client.query("ALTER SYSTEM SET synchronous_standby_names = '*'");
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
};

const replicaCaughtUp = async (
  primary: PostgresNode,
  replica: PostgresNode,
  timeoutMs: number,
): Promise<void> => {
  // One connection to each node: the replica is polled every 50 ms, over the same connection.
  const connected = async (url: string) => {
    const client = new pg.Client(url);
    await client.connect();
    return client;
  };
  const writer = await connected(primary.url);
  const lsn = await writer
    .query<{ lsn: string }>('SELECT pg_current_wal_lsn() AS lsn')
    .finally(() => writer.end());
  const target = lsn.rows[0]?.lsn;
  const reader = await connected(replica.url);
  const caughtUp = async () =>
    (
      await reader.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [
        target,
      ])
    ).rows[0]?.ok === true;
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await caughtUp())) {
      if (Date.now() > deadline)
        throw new Error(`the replica did not catch up within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await reader.end();
  }
};

export interface PostgresPairOptions {
  /**
   * Commit only once the replica has the WAL (RDS Multi-AZ's standby): a failover loses no
   * acknowledged write, but writes stall while the replica is down. Off, the replica is an
   * asynchronous read replica.
   * @default false
   */
  readonly synchronous?: boolean;
  /**
   * TLS as RDS has it: both servers present a certificate for 127.0.0.1 signed by a CA made
   * for the run (openssl), whose file is `caFile`. Clients may still connect without TLS.
   * @default false
   */
  readonly tls?: boolean;
}

/**
 * A CA and a server certificate for 127.0.0.1 and localhost in `dir`, the key readable by the
 * server's user only (PostgreSQL refuses a key others can read).
 */
const makeCertificates = async (dir: string, user: RunAs | undefined) => {
  const file = (name: string) => join(dir, name);
  const openssl = (args: string[]) => run('openssl', args, undefined);
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=Rebound local CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  ]);
  await openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  ]);
  writeFileSync(file('san.ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
  await openssl([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('san.ext'),
    '-out',
    file('server.pem'),
  ]);
  if (user !== undefined) chownSync(file('server.key'), user.uid, user.gid);
  chmodSync(file('server.key'), 0o600);
  return {
    caFile: file('ca.pem'),
    settings: [
      'ssl = on',
      `ssl_cert_file = '${file('server.pem')}'`,
      `ssl_key_file = '${file('server.key')}'`,
    ],
  };
};

export const startPostgresPair = async ({
  synchronous = false,
  tls = false,
}: PostgresPairOptions = {}): Promise<PostgresPair> => {
  const prefix = 'rebound-pg-';
  const bin = postgresBinDir();
  const user: RunAs | undefined = serverUser();
  const root = ownedTempDir(prefix, user);
  const node = (name: string, port: number): PostgresNode => ({
    name,
    port,
    dataDir: join(root, name),
    url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`,
  });
  const primary = node('primary', await freePort());
  const replica = node('replica', await freePort());
  const pgCtl = (args: string[]) => run(join(bin, 'pg_ctl'), args, user, 60_000);
  const startNode = (n: PostgresNode) =>
    pgCtl([
      'start',
      '-w',
      '-D',
      n.dataDir,
      '-l',
      join(root, `${n.name}.log`),
      '-o',
      `-p ${n.port} -k ${root}`,
    ]);
  const running = new Set<PostgresNode>();
  const stopNode = async (n: PostgresNode) => {
    if (!running.delete(n)) return;
    await pgCtl(['stop', '-w', '-m', 'immediate', '-D', n.dataDir]);
  };

  await run(
    join(bin, 'initdb'),
    ['-D', primary.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'],
    user,
  );
  // The replica's copy (pg_basebackup) has the same settings, hence the same certificate.
  const certificates = tls ? await makeCertificates(root, user) : undefined;
  const settings = [...SETTINGS, ...(certificates?.settings ?? [])];
  writeFileSync(join(primary.dataDir, 'postgresql.auto.conf'), `${settings.join('\n')}\n`);
  writeFileSync(join(primary.dataDir, 'pg_hba.conf'), `${HBA}\n`);
  try {
    await startNode(primary);
    running.add(primary);
    await run(
      join(bin, 'createdb'),
      ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', DATABASE],
      user,
    );
    // -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
    await run(
      join(bin, 'pg_basebackup'),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        'postgres',
        '-D',
        replica.dataDir,
        '-R',
        '-c',
        'fast',
        '-X',
        'stream',
        '--no-sync',
      ],
      user,
    );
    await startNode(replica);
    running.add(replica);
    if (synchronous) await makeReplicationSynchronous(primary);
  } catch (error) {
    for (const n of [...running]) await stopNode(n).catch(() => undefined);
    throw error;
  }

  return {
    primary,
    replica,
    ...(certificates ? { caFile: certificates.caFile } : {}),
    promoteReplica: async () => {
      await pgCtl(['promote', '-w', '-D', replica.dataDir]);
    },
    replicaCaughtUp: (timeoutMs = 5_000) => replicaCaughtUp(primary, replica, timeoutMs),
    stopNode,
    stop: async () => {
      for (const n of [replica, primary]) await stopNode(n).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
};
