import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  POSTGRES_INSTALL_HINT,
  postgresBinDir,
  REDIS_INSTALL_HINT,
  redisServerPath,
} from '../../shop/local/binaries.js';

describe('the servers the local shop needs', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('finds the newest PostgreSQL server binaries and redis-server on this machine', () => {
    // Act + Assess
    expect(postgresBinDir()).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin$/);
    expect(redisServerPath()).toMatch(/redis-server$/);
  });

  it('fails with one line saying what to install when a binary is missing', () => {
    // Prepare
    vi.stubEnv('PATH', '/nonexistent');

    // Act + Assess
    expect(() => redisServerPath()).toThrow(REDIS_INSTALL_HINT);
    expect(REDIS_INSTALL_HINT).toBe(
      'redis-server not found on PATH: run "apt-get install -y redis-server"',
    );
    expect(POSTGRES_INSTALL_HINT).toContain('run "apt-get install -y postgresql"');
  });

  it('says when PG_BIN points at a folder without pg_ctl', () => {
    // Prepare
    vi.stubEnv('PG_BIN', '/nonexistent');

    // Act + Assess
    expect(() => postgresBinDir()).toThrow('PG_BIN=/nonexistent has no pg_ctl');
  });
});
