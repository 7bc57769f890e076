// Browser session tokens, shared by the console's staff sessions and the codec's operator
// sessions: a random token in an HttpOnly cookie, only its hash stored.
import { createHash, randomBytes } from 'node:crypto';

/** A new session token (256 random bits). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a token. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The value of cookie `name` in a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || null;
  }
  return null;
}
