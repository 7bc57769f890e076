import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { Database } from '../../db/database.ts';
import { insertApiClient, type ApiClient } from '../../db/repositories/api-clients.ts';
import { ROLES, type Role } from './roles.ts';

/** Every key starts with this, so that a leaked key is easy to recognise (and to scan for). */
export const API_KEY_PREFIX = 'cpk_';
const KEY_PATTERN = /^cpk_[A-Za-z0-9_-]{43}$/;

/** A fresh key: `cpk_` and 256 random bits in base64url. Shown once; only its hash is stored. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Whether a string has the shape of a carepath API key. */
export function looksLikeApiKey(text: string): boolean {
  return KEY_PATTERN.test(text);
}

/** sha256 hex of the key: keys are random, so no salt or slow hash is needed. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface NewClientRequest {
  name: string;
  role: string;
  butlerId?: string | null;
  createdBy: string;
  /** Use this key instead of generating one (bootstrap from CAREPATH_BOOTSTRAP_ADMIN_KEY). */
  key?: string;
}

/** Creates an API client and returns it with its key (the only time the key is seen). */
export async function createApiClient(db: Kysely<Database>, request: NewClientRequest): Promise<{ client: ApiClient; key: string }> {
  if (!(ROLES as readonly string[]).includes(request.role)) {
    throw new CarepathError('invalid-input', `unknown role '${request.role}' (roles: ${ROLES.join(', ')})`);
  }
  const role = request.role as Role;
  if (role === 'butler' && !request.butlerId)
    throw new CarepathError('invalid-input', 'a butler key needs the butler id their patients are assigned to (--butler-id)');
  if (role !== 'butler' && request.butlerId) throw new CarepathError('invalid-input', 'only a butler key carries a butler id');
  if (!request.name.trim()) throw new CarepathError('invalid-input', 'an API client needs a name');
  const key = request.key ?? generateApiKey();
  if (!looksLikeApiKey(key))
    throw new CarepathError('invalid-input', `an API key is '${API_KEY_PREFIX}' followed by 43 base64url characters (make one with: carepath api-key create)`);
  const client = await insertApiClient(db, {
    id: `cl_${randomBytes(8).toString('hex')}`,
    name: request.name.trim(),
    role,
    butlerId: request.butlerId ?? null,
    keyHash: hashApiKey(key),
    keyPrefix: key.slice(0, API_KEY_PREFIX.length + 6),
    createdBy: request.createdBy,
  });
  return { client, key };
}
