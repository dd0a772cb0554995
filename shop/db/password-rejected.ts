/**
 * PostgreSQL refused the password of a new connection: SQLSTATE 28P01 invalid_password (class 28,
 * "Invalid Authorization Specification", https://www.postgresql.org/docs/current/errcodes-appendix.html).
 * The shop reads the database secret once, at start; after Secrets Manager rotated it, only a
 * restart reads the new one (systemd's ExecStartPre, infra/constructs/shop-user-data.ts).
 */
export const INVALID_PASSWORD_SQLSTATE = '28P01';

/**
 * The shop's exit status when the database refuses its password: EX_TEMPFAIL (75, sysexits.h),
 * "try again later", distinct from a config error (2) and a crash (1). systemd restarts the
 * shop (Restart=always, RestartSec=), which reads the current secret.
 */
export const PASSWORD_REJECTED_EXIT_CODE = 75;

export const isPasswordRejected = (error: unknown): boolean =>
  error instanceof Error && (error as { code?: unknown }).code === INVALID_PASSWORD_SQLSTATE;
