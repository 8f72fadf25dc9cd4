/**
 * Who may use the web console when `wf serve` requires signed requests. A browser cannot sign
 * requests with SigV4, so the server makes a random token at start and prints the console's
 * address with it (`http://127.0.0.1:<port>/?token=...`). Opening that address sets an HttpOnly,
 * SameSite=Strict cookie holding the token (named after the port: cookies are shared by every port
 * of a host) and redirects to the page; every console request must then carry the cookie. The
 * token grants the console only, never the Step Functions API, and dies with the server.
 *
 * Without `--require-signature` the console, like the API, is open to every caller on loopback
 * that passes the Host and Origin checks.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A new console token. */
export function newConsoleToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The name of the cookie holding the token for the server on `port`. */
export function consoleCookieName(port: number): string {
  return `wf_console_${port}`;
}

/** True when `given` is the token (compared in constant time). */
export function isConsoleToken(given: string | undefined | null, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token the request's cookie carries for the server on `port`, if any. */
export function cookieToken(req: IncomingMessage, port: number): string | undefined {
  const name = consoleCookieName(port);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** The `Set-Cookie` value that keeps the token in the browser for this server. */
export function tokenCookie(port: number, token: string): string {
  return `${consoleCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
