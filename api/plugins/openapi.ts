import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { DOCUMENTED_PATTERNS } from './validation.ts';

/**
 * Collects every route's JSON schema into an OpenAPI 3.1 document, served at `/openapi.json`,
 * with the Swagger UI at `/docs`. Register before the routes it describes.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    transformObject: (document) => withStorageRules(structuredClone('openapiObject' in document ? document.openapiObject : document.swaggerObject)),
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

type JsonObject = { [key: string]: unknown };

/**
 * Writes into every schema of the document what the platform refuses outside the schemas (the
 * text guard and the time formats of validation.ts), so a client reads the real contract: no
 * NUL or lone surrogate in any string or key, dates within the years the planner handles.
 */
function withStorageRules<T>(node: T): T {
  if (Array.isArray(node)) node.forEach(withStorageRules);
  else if (node && typeof node === 'object') {
    const schema = node as JsonObject;
    const types = [schema.type].flat();
    if (types.includes('string') && schema.pattern === undefined && schema.enum === undefined && schema.const === undefined) {
      schema.pattern =
        schema.format === 'date-time' ? DOCUMENTED_PATTERNS.dateTime : schema.format === 'date' ? DOCUMENTED_PATTERNS.date : DOCUMENTED_PATTERNS.text;
    }
    if (types.includes('object') && schema.additionalProperties !== false && schema.propertyNames === undefined) {
      schema.propertyNames = { pattern: DOCUMENTED_PATTERNS.text };
    }
    Object.values(schema).forEach(withStorageRules);
  }
  return node;
}
