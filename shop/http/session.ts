import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The session is a random id in an HttpOnly cookie; what hangs off it (the cart) lives in
 * Redis, so any instance behind the load balancer serves any request.
 */

export const SESSION_COOKIE = 'rebound_sid';

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

const cookieValue = (header: string | undefined, name: string): string | undefined =>
  header
    ?.split(';')
    .map((part) => part.trim().split('='))
    .find(([key]) => key === name)?.[1];

/** The request's session id; a new one (and its cookie) when it has none or a bad one. */
export const sessionId = (request: FastifyRequest, reply: FastifyReply): string => {
  const existing = cookieValue(request.headers.cookie, SESSION_COOKIE);
  if (existing !== undefined && SESSION_ID.test(existing)) return existing;
  const created = randomBytes(16).toString('base64url');
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${created}; Path=/; HttpOnly; SameSite=Lax; Max-Age=604800`,
  );
  return created;
};
