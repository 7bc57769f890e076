import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../../db/database.ts';
import type { Guard } from '../auth/guard.ts';
import { errorBodySchema } from './error-handler.ts';

/**
 * Prometheus metrics at `GET /metrics` (role ops or admin: scrape with a bearer key): request
 * latency by route and status, open tasks by role, active enrolments by pathway, and Node's
 * process metrics. Labels are route templates and ids of pathways and roles: no patient data.
 */
export function registerMetrics(app: FastifyInstance, db: Kysely<Database>, authorize: Guard): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'carepath_' });
  const duration = new Histogram({
    name: 'carepath_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'carepath_open_tasks',
    help: 'Open tasks in the worklists, by role',
    labelNames: ['role'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('tasks')
        .select(['role', (eb) => eb.fn.countAll<string>().as('n')])
        .where('status', '=', 'open')
        .groupBy('role')
        .execute();
      for (const row of rows) this.set({ role: row.role }, Number(row.n));
    },
  });
  new Gauge({
    name: 'carepath_active_enrollments',
    help: 'Active enrolments, by pathway',
    labelNames: ['pathway'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('enrollments')
        .select(['pathway_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('status', '=', 'active')
        .groupBy('pathway_id')
        .execute();
      for (const row of rows) this.set({ pathway: row.pathway_id }, Number(row.n));
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get(
    '/metrics',
    {
      onRequest: authorize('readMetrics'),
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['operations'],
        security: [{ bearerAuth: [] }],
        response: {
          200: { description: 'the metrics as Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } },
          '4xx': errorBodySchema,
          '5xx': errorBodySchema,
        },
      },
    },
    async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
}
