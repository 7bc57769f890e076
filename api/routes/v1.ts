import type { FastifyPluginAsync } from 'fastify';
import { installStrictValidation } from '../plugins/validation.ts';
import { apiClientRoutes } from './api-clients.ts';
import { communicationRoutes } from './communication.ts';
import type { RouteContext } from './context.ts';
import { enrollmentRoutes } from './enrollments.ts';
import { inboundMessageRoutes } from './inbound-messages.ts';
import { inquiryRoutes } from './inquiries.ts';
import { journeyUpdateRoutes } from './journey-updates.ts';
import { pathwayRoutes } from './pathways.ts';
import { patientRoutes } from './patients.ts';
import { reportRoutes } from './reports.ts';
import { staffSessionRoutes } from './staff-session.ts';
import { taskRoutes } from './tasks.ts';

/** Default largest body of a /v1 request: patient records and task data are small. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Every /v1 route: strict body validation, a body-size limit, a guard on each route. */
export const v1Routes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize, authenticator }) => {
  installStrictValidation(app);
  const context: RouteContext = { deps, authorize, authenticator };
  const bodyLimit = deps.limits?.bodyLimit ?? DEFAULT_BODY_LIMIT;
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimit;
  });
  for (const routes of [
    enrollmentRoutes,
    communicationRoutes,
    patientRoutes,
    journeyUpdateRoutes,
    taskRoutes,
    pathwayRoutes,
    inquiryRoutes,
    inboundMessageRoutes,
    reportRoutes,
    apiClientRoutes,
    staffSessionRoutes,
  ]) {
    await app.register(routes, context);
  }
};
