import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * What every deployed bundle gets in place of `@aws-sdk/credential-provider-node` (the esbuild
 * alias in infra/lambda-bundling.ts): the credentials of the function's execution role, which the
 * Lambda runtime puts in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 *
 * The SDK's default chain would look there first too, but bundles the chain's other links (SSO,
 * INI profiles, process, web identity, container and instance metadata, their STS/SSO clients):
 * about 108 KB of every bundle, loaded at every cold start and never used on Lambda. Outside
 * Lambda (tests, sandbox) nothing is aliased and the SDK keeps its whole chain. When the
 * variables are missing, the first call fails with the SDK's own CredentialsProviderError
 * ("Unable to find environment variable credentials."), never silently.
 */
export const defaultProvider = (
  init: Parameters<typeof fromEnv>[0] = {},
): ReturnType<typeof fromEnv> => fromEnv(init);
