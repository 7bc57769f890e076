import type { FastifyPluginAsync } from 'fastify';
import { updatePatientIdentityFields, type IdentityChange } from '../../enrollment/identity/patient-directory.ts';
import { audit } from '../audit/audit.ts';
import { bearer, errorResponses } from '../schemas/common.ts';
import { identityChangeBody, identityChangedSchema } from '../schemas/patients.ts';
import { vaultOf, type RouteContext } from './context.ts';

/** A patient's stored identity: corrected by its own route, never by an enrolment. */
export const patientRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize }) => {
  app.patch<{ Params: { patientRef: string }; Body: IdentityChange }>(
    '/patients/:patientRef/identity',
    {
      onRequest: authorize('updateIdentity'),
      schema: {
        summary:
          "Correct a patient's stored identity (name, phone, identity document, birth date, gender); audited with the fields changed, never their values",
        tags: ['patients'],
        security: bearer,
        params: {
          type: 'object',
          required: ['patientRef'],
          additionalProperties: false,
          properties: { patientRef: { type: 'string', pattern: '^pt_[0-9a-f]{20}$' } },
        },
        body: identityChangeBody,
        response: { 200: identityChangedSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { patientRef } = request.params;
      const vault = vaultOf(deps);
      const { changed } = await deps.db.transaction().execute(async (trx) => {
        const result = await updatePatientIdentityFields(trx, vault, patientRef, request.body);
        if (result.changed.length > 0) await audit(trx, request, 'patient.identity.update', { type: 'patient', id: patientRef }, { changed: result.changed });
        return result;
      });
      return { patientRef, changed };
    },
  );
};
