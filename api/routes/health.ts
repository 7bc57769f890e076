import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import type { AppDeps } from '../deps.ts';

const CHECK_TIMEOUT_MS = 2_000;

const partSchema = { type: 'string', enum: ['ok', 'unavailable'] } as const;

/** GET /health: 200 when Temporal and the database answer, 503 naming the part that does not. */
export const healthRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness of the platform and its dependencies',
        response: {
          200: {
            type: 'object',
            required: ['status', 'temporal', 'database'],
            properties: { status: { const: 'ok' }, temporal: partSchema, database: partSchema },
          },
          503: {
            type: 'object',
            required: ['status', 'temporal', 'database'],
            properties: {
              status: { const: 'unavailable' },
              temporal: partSchema,
              database: partSchema,
              details: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      const [temporal, database] = await Promise.all([
        // Timed by the probe, not by a gRPC deadline: a deadline makes the client's retry interceptor
        // schedule another attempt, which throws once the connection is closed (seen in tests).
        probe(() => deps.temporal.connection.healthService.check({})),
        probe(() => sql`select 1`.execute(deps.db)),
      ]);
      if (temporal.ok && database.ok) return { status: 'ok', temporal: 'ok', database: 'ok' };
      const details: Record<string, string> = {};
      if (!temporal.ok) details.temporal = temporal.reason;
      if (!database.ok) details.database = database.reason;
      return reply.status(503).send({
        status: 'unavailable',
        temporal: temporal.ok ? 'ok' : 'unavailable',
        database: database.ok ? 'ok' : 'unavailable',
        details,
      });
    },
  );
};

async function probe(check: () => Promise<unknown>): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: ((err as Error).message ?? String(err)).split('\n')[0]! };
  } finally {
    clearTimeout(timer);
  }
}
