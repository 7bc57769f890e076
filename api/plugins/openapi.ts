import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * Collects every route's JSON schema into an OpenAPI 3.1 document, served at `/openapi.json`,
 * with the Swagger UI at `/docs`. Register before the routes it describes.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'carepath API',
        version: '1',
        description:
          "Enrolments in care pathways, the butlers' worklist, events, readings, questionnaires, inquiries and KPI reports. Every /v1 route needs `Authorization: Bearer <API key>`.",
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API key (cpk_…)' } } },
      tags: [
        { name: 'enrollments' },
        { name: 'tasks' },
        { name: 'pathways' },
        { name: 'inquiries' },
        { name: 'reports' },
        { name: 'api-clients' },
        { name: 'operations' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true, persistAuthorization: false } });
  app.get('/openapi.json', { schema: { hide: true, response: { 200: { type: 'object', additionalProperties: true } } } }, async () => app.swagger());
}
