import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SigningKey } from '../approval/ports.js';

/** Shortest key accepted: CloudFormation generates 64 characters. */
const MIN_KEY_LENGTH = 32;

/**
 * The link-signing key from a Secrets Manager secret (a plain generated string), read once per
 * container and cached; a failed read is not cached, so the next call tries again.
 */
export const secretsManagerSigningKey = (
  client: SecretsManagerClient,
  secretId: string,
): SigningKey => {
  let cached: Promise<string> | undefined;
  const read = async (): Promise<string> => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (SecretString === undefined || SecretString.length < MIN_KEY_LENGTH) {
      throw new Error(
        `secret ${secretId} holds no signing key of at least ${MIN_KEY_LENGTH} characters: regenerate it`,
      );
    }
    return SecretString;
  };
  return () => {
    cached ??= read().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
};
