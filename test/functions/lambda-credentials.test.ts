import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '../../functions/lib/aws/lambda-credentials.js';

/**
 * The credential provider every deployed bundle uses instead of the SDK's default chain: the
 * execution role's credentials that the Lambda runtime sets in the environment
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 */

describe('Lambda credentials', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("resolves the execution role's credentials from the runtime's environment", async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('fails with a clear error when the runtime set no credentials', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');

    // Act / Assess
    await expect(defaultProvider()()).rejects.toThrow(
      'Unable to find environment variable credentials.',
    );
  });
});
