import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of every Rebound function: Powertools Logger (structured JSON, the Lambda
 * request id once `addContext` ran, log level from `POWERTOOLS_LOG_LEVEL`), one per container.
 */
export const createLogger = (serviceName: string): Logger => new Logger({ serviceName });

/** A `warn(message, fields)` port for the pure code, writing through `logger`. */
export const warnThrough =
  (logger: Logger) =>
  (message: string, fields: Record<string, unknown>): void =>
    logger.warn(message, fields);
