/** The slice of pino's logger (Fastify's own) that the shop's modules use. */
export interface Logger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** One JSON line per event on stdout, as Fastify's request lines (journald/CloudWatch agent). */
export const jsonLogger = (component: string): Logger => {
  const write = (level: string) => (object: object, message: string) =>
    process.stdout.write(
      `${JSON.stringify({ level, time: Date.now(), component, msg: message, ...object })}\n`,
    );
  return { info: write('info'), warn: write('warn'), error: write('error') };
};
