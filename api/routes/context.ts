import type { FastifyRequest } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import { findEnrollment, type Enrollment } from '../../db/repositories/enrollments.ts';
import type { IdentityVault } from '../../enrollment/identity/identity-vault.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import { principalOf, type Guard } from '../auth/guard.ts';
import type { AppDeps } from '../deps.ts';

/** What every /v1 route plugin is given. */
export interface RouteContext {
  deps: AppDeps;
  authorize: Guard;
  authenticator: Authenticator;
}

/** The tenant of every record the API writes (one hospital group per deployment for now). */
export const TENANT = 'default';

/**
 * The enrolment, if the caller may see it: 404 when unknown, 403 for a butler when it is not
 * one of their patients.
 */
export async function enrollmentFor(deps: AppDeps, request: FastifyRequest, id: string): Promise<Enrollment> {
  const enrollment = await findEnrollment(deps.db, id);
  if (!enrollment) throw new CarepathError('not-found', `no enrolment ${id}`);
  const principal = principalOf(request);
  if (principal.role === 'butler' && enrollment.butler_id !== principal.butlerId) {
    throw new CarepathError('forbidden', 'this enrolment is not one of your patients');
  }
  return enrollment;
}

/** The identity vault, or 503 when the platform was started without one. */
export function vaultOf(deps: AppDeps): IdentityVault {
  if (!deps.identity) throw new CarepathError('unavailable', 'patient identity encryption is not configured on this server');
  return deps.identity;
}
