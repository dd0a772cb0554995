import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_REJECTED_EXIT_CODE } from '../../shop/db/password-rejected.js';
import { PASSWORD_LOGIN_ROLE } from '../../shop/local/postgres.js';
import { type ShopProcess, startShopProcess } from '../../shop/local/shop-process.js';
import { replicaCaughtUp, type ShopServers, startShopServers } from '../support/shop-servers.js';

/**
 * The database secret rotated under a running shop (Secrets Manager single-user rotation: the
 * role's password changes, open connections stay). The shop read the old password at start, so
 * its next new connection is refused (SQLSTATE 28P01): it must exit with its own status, for
 * systemd to restart it with the current secret, rather than serve errors until someone
 * restarts it. Real servers: the role logs in with scram-sha-256 (shop/local/postgres.ts).
 */

const ROLE = 'shop_rotating';

const withCredentials = (url: string, password: string): string => {
  const parsed = new URL(url);
  parsed.username = ROLE;
  parsed.password = password;
  return parsed.toString();
};

describe('a database password rotated under a running shop (real servers)', () => {
  let servers: ShopServers;
  let shop: ShopProcess | undefined;

  beforeAll(async () => {
    servers = await startShopServers({ skus: 20 });
    await servers.admin.query(`CREATE ROLE ${PASSWORD_LOGIN_ROLE} NOLOGIN`);
    // A superuser, so that the shop's start (migrations) needs no grants: only the password matters.
    await servers.admin.query(
      `CREATE ROLE ${ROLE} LOGIN SUPERUSER PASSWORD 'before-rotation' IN ROLE ${PASSWORD_LOGIN_ROLE}`,
    );
    await replicaCaughtUp(servers);
  });
  afterAll(async () => {
    await shop?.stop();
    await servers.stop();
  });

  it(`exits with status ${PASSWORD_REJECTED_EXIT_CODE} on the first new connection the database refuses`, async () => {
    // Prepare: a shop serving with the password it read at start.
    shop = await startShopProcess({
      primaryUrl: withCredentials(servers.config.primaryUrl, 'before-rotation'),
      replicaUrl: withCredentials(servers.postgres.replica.url, 'before-rotation'),
    });
    const catalog = `http://127.0.0.1:${shop.port}/api/products?limit=5`;
    expect((await fetch(catalog)).status).toBe(200);

    // Act: rotate the password, then end the shop's open connections (as an idle timeout or a
    // failover would), so that its next query needs a new connection.
    await servers.admin.query(`ALTER ROLE ${ROLE} PASSWORD 'after-rotation'`);
    await replicaCaughtUp(servers);
    const replica = new pg.Client(servers.postgres.replica.url);
    await replica.connect();
    const terminate = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${ROLE}'`;
    await servers.admin.query(terminate);
    await replica.query(terminate).finally(() => replica.end());
    const exitedAt = Date.now();
    const exit = await Promise.race([
      shop.exited,
      (async () => {
        // Requests keep coming; the old code answered them with errors, forever.
        for (let i = 0; i < 50; i += 1) {
          await fetch(catalog).catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return 'still running after 10 s of requests';
      })(),
    ]);

    // Assess: the distinct status, and one line that says why.
    console.log(
      `password rotation: the shop exited ${Date.now() - exitedAt} ms after its connections were ended`,
    );
    expect(exit).toBe(PASSWORD_REJECTED_EXIT_CODE);
    const lines = shop.errors().filter((line) => line.includes('28P01'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      exitCode: PASSWORD_REJECTED_EXIT_CODE,
      err: expect.stringContaining('password authentication failed'),
    });
  });

  it('restarted as systemd does: the old password stops it again at start, the current one serves', async () => {
    // Act: a restart that still read the previous secret (the rotation's short window between
    // the database change and the secret's update), then one that read the current secret.
    const stale = startShopProcess({
      primaryUrl: withCredentials(servers.config.primaryUrl, 'before-rotation'),
      replicaUrl: withCredentials(servers.postgres.replica.url, 'before-rotation'),
    });
    await expect(stale).rejects.toThrow(
      new RegExp(`exit status ${PASSWORD_REJECTED_EXIT_CODE}\\).*28P01`, 's'),
    );
    shop = await startShopProcess({
      primaryUrl: withCredentials(servers.config.primaryUrl, 'after-rotation'),
      replicaUrl: withCredentials(servers.postgres.replica.url, 'after-rotation'),
    });

    // Assess
    expect((await fetch(`http://127.0.0.1:${shop.port}/api/products?limit=5`)).status).toBe(200);
  });
});
