import type { FastifyPluginAsync } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import { audit } from '../audit/audit.ts';
import { kpiReportCsv } from '../reports/kpi-csv.ts';
import { computeKpiReport } from '../reports/kpi.ts';
import { bearer, errorResponses, isoDateTime } from '../schemas/common.ts';
import type { RouteContext } from './context.ts';

const MAX_PERIOD_DAYS = 400;
const rate = { type: ['number', 'null'] } as const;
const minutes = { type: ['number', 'null'] } as const;
const figuresSchema = {
  type: 'object',
  properties: {
    advanceNotice: { type: 'object', properties: { nodes: { type: 'integer' }, announced: { type: 'integer' }, rate } },
    taskOnTime: { type: 'object', properties: { due: { type: 'integer' }, onTime: { type: 'integer' }, rate } },
    inquiryResponse: {
      type: 'object',
      properties: {
        asked: { type: 'integer' },
        answered: { type: 'integer' },
        p50Minutes: minutes,
        p90Minutes: minutes,
        maxMinutes: minutes,
        within30MinRate: rate,
        withinTargetRate: rate,
      },
    },
    followUpCompletion: { type: 'object', properties: { due: { type: 'integer' }, completed: { type: 'integer' }, rate } },
    questionnaireResponse: { type: 'object', properties: { issued: { type: 'integer' }, answered: { type: 'integer' }, rate } },
  },
} as const;

/** GET /reports/kpi: the service-level figures the hospitals' contracts ask for, JSON or CSV. */
export const reportRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize }) => {
  app.get<{ Querystring: { from: string; to: string; program?: string; format?: 'json' | 'csv' } }>(
    '/reports/kpi',
    {
      onRequest: authorize('readReports'),
      schema: {
        summary:
          'KPIs for a period [from, to): advance notice, task on-time, inquiry response, follow-up completion, questionnaire response; per program and butler. CSV with format=csv or Accept: text/csv',
        tags: ['reports'],
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: { from: isoDateTime, to: isoDateTime, program: { type: 'string', maxLength: 100 }, format: { type: 'string', enum: ['json', 'csv'] } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              from: { type: 'string' },
              to: { type: 'string' },
              program: { type: ['string', 'null'] },
              generatedAt: { type: 'string' },
              overall: figuresSchema,
              byProgram: { type: 'array', items: { type: 'object', properties: { program: { type: 'string' }, ...figuresSchema.properties } } },
              byButler: { type: 'array', items: { type: 'object', properties: { butler: { type: 'string' }, ...figuresSchema.properties } } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const from = new Date(request.query.from);
      const to = new Date(request.query.to);
      if (!(from < to)) throw new CarepathError('invalid-input', 'from must be before to');
      if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000)
        throw new CarepathError('invalid-input', `a report covers at most ${MAX_PERIOD_DAYS} days`);
      const program = request.query.program;
      const report = await computeKpiReport(deps.db, deps.pathways, { from, to, ...(program ? { program } : {}) });
      await audit(deps.db, request, 'report.kpi', { type: 'report', id: null }, { from: report.from, to: report.to, program: program ?? null });
      const wantsCsv = request.query.format === 'csv' || (request.query.format === undefined && /\btext\/csv\b/.test(request.headers.accept ?? ''));
      if (wantsCsv) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('Content-Disposition', `attachment; filename="kpi-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"`)
          .send(kpiReportCsv(report));
      }
      return report;
    },
  );
};
