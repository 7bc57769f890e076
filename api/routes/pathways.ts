import type { FastifyPluginAsync } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import { insertPathwayPublication } from '../../db/repositories/pathway-publications.ts';
import { findPathwayVersion, listPathwayVersions, recordPathwayVersion } from '../../db/repositories/pathway-versions.ts';
import { checkEnrollmentAnchors } from '../../enrollment/enrollment-input.ts';
import { parseTime, projectTimeline, spanOf, type CompiledPathway } from '../../pathway/planner/index.ts';
import { compileSource } from '../../pathway/compiler/compile.ts';
import { loadContent } from '../../pathway/compiler/content.ts';
import { loadVocabulary } from '../../pathway/compiler/vocabulary.ts';
import { timelinePage } from '../../pathway/preview/timeline-page.ts';
import { publicationOrigin } from '../../platform/pathway-publications.ts';
import { versionReusedMessage } from '../../platform/pathway-versions.ts';
import { audit } from '../audit/audit.ts';
import { actorId, principalOf } from '../auth/index.ts';
import { bearer, errorResponses, timeZoneSchema } from '../schemas/common.ts';
import type { RouteContext } from './context.ts';

const pathwayIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{0,99}$' } },
} as const;

const summarySchema = {
  type: 'object',
  properties: { id: { type: 'string' }, version: { type: 'string' }, hash: { type: 'string' }, title: { type: 'string' }, program: { type: 'string' } },
} as const;

const MAX_PREVIEW_ENTRIES = 2_000;
/** The largest pathway file a coordinator publishes (the full pregnancy file is 47 KB). */
const MAX_PUBLISHED_BYTES = 512 * 1024;

const publishedSchema = {
  type: 'object',
  properties: {
    ...summarySchema.properties,
    published: { type: 'boolean', description: 'false when this exact version was already offered' },
    previous: { type: ['string', 'null'], description: 'the version offered before' },
  },
} as const;

/** The offered pathways, their stored versions, and a preview of the timeline one plans. */
export const pathwayRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize }) => {
  app.get(
    '/pathways',
    {
      onRequest: authorize('readPathways'),
      schema: {
        summary: 'The programs offered for new enrolments (their current versions)',
        tags: ['pathways'],
        security: bearer,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: summarySchema } } }, ...errorResponses },
      },
    },
    async () => ({ items: deps.pathways.list().map(({ id, version, hash, title, program }) => ({ id, version, hash, title, program })) }),
  );

  app.post<{ Body: { source: string; file?: string } }>(
    '/pathways',
    {
      onRequest: authorize('publishPathway'),
      bodyLimit: MAX_PUBLISHED_BYTES * 2,
      schema: {
        summary: 'Publish a pathway version to the running platform: validated, recorded, offered to the next enrolment (every API process within 10 s)',
        tags: ['pathways'],
        security: bearer,
        body: {
          type: 'object',
          required: ['source'],
          additionalProperties: false,
          properties: {
            source: { type: 'string', minLength: 1, maxLength: MAX_PUBLISHED_BYTES, description: 'the pathway file (YAML), as `carepath validate` reads it' },
            file: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9._/-]+$', description: 'its name in error messages (default published.yaml)' },
          },
        },
        response: { 200: publishedSchema, 201: publishedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const file = request.body.file ?? 'published.yaml';
      const result = compileSource(file, request.body.source, { vocabulary: loadVocabulary(), content: loadContent(deps.pathwayContentDir ?? null) });
      if (!result.compiled) {
        const [first] = result.diagnostics;
        throw new CarepathError(
          'invalid-input',
          `${file} has ${result.diagnostics.length} error(s); the first: ${first!.line}:${first!.col} ${first!.message} [${first!.rule}]`,
          { diagnostics: result.diagnostics.map(({ line, col, rule, message }) => ({ line, col, rule, message })) },
        );
      }
      const pathway = result.compiled;
      const current = deps.pathways.get(pathway.id);
      const previous = current ? current.version : null;
      if (current?.hash === pathway.hash) return reply.status(200).send({ ...summaryOf(pathway), published: false, previous });
      const stored = await recordPathwayVersion(deps.db, pathway);
      if (stored !== pathway.hash)
        throw new CarepathError('conflict', versionReusedMessage(file, pathway.id, pathway.version, stored, 'it was first recorded'));
      const publishedBy = actorId(principalOf(request));
      const publishedAt = await insertPathwayPublication(deps.db, pathway, publishedBy);
      deps.pathways.publish(pathway, publicationOrigin({ publishedBy, publishedAt }));
      await audit(deps.db, request, 'pathway.publish', { type: 'pathway', id: pathway.id }, { version: pathway.version, hash: pathway.hash, previous });
      return reply.status(201).send({ ...summaryOf(pathway), published: true, previous });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/pathways/:id',
    {
      onRequest: authorize('readPathways'),
      schema: {
        summary: 'One pathway: its current version, anchors, stages and every version ever run',
        tags: ['pathways'],
        security: bearer,
        params: pathwayIdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              ...summarySchema.properties,
              offered: { type: 'boolean', description: 'whether new enrolments may use it' },
              timeZone: timeZoneSchema,
              anchors: {
                type: 'object',
                additionalProperties: {
                  type: 'object',
                  properties: {
                    type: { type: 'string' },
                    required: { type: 'boolean' },
                    correctable: { type: 'boolean' },
                    derived: { type: 'boolean', description: 'computed from other anchors (edd = lmp + 280d) unless given or corrected' },
                    title: { type: 'string' },
                  },
                },
              },
              events: { type: 'array', items: { type: 'string' } },
              stages: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' } } } },
              steps: { type: 'integer' },
              versions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { version: { type: 'string' }, hash: { type: 'string' }, title: { type: 'string' }, firstSeenAt: { type: 'string' } },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const versions = await listPathwayVersions(deps.db, request.params.id);
      const current =
        deps.pathways.get(request.params.id) ?? (versions[0] ? await findPathwayVersion(deps.db, request.params.id, versions[0].version) : undefined);
      if (!current) throw new CarepathError('not-found', `no pathway ${request.params.id}`);
      return {
        id: current.id,
        version: current.version,
        hash: current.hash,
        title: current.title,
        program: current.program,
        offered: deps.pathways.get(current.id) !== undefined,
        timeZone: { name: current.timezone.name, offsetMinutes: current.timezone.offsetMinutes },
        // Calendar dates (holidays) are fixed by the pathway, not given at enrolment.
        anchors: Object.fromEntries(
          Object.entries(current.anchors)
            .filter(([, a]) => a.fixed === undefined)
            .map(([name, a]) => [
              name,
              { type: a.type, required: a.required, correctable: a.correctable, derived: a.derive !== undefined, ...(a.title ? { title: a.title } : {}) },
            ]),
        ),
        events: Object.keys(current.events),
        stages: current.stages.map((s) => ({ id: s.id, ...(s.title ? { title: s.title } : {}) })),
        steps: current.steps.length,
        versions: versions.map((v) => ({ version: v.version, hash: v.hash, title: v.title, firstSeenAt: v.first_seen_at.toISOString() })),
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: Record<string, string> }>(
    '/pathways/:id/preview',
    {
      onRequest: authorize('readPathways'),
      schema: {
        summary: 'The timeline the pathway plans for imagined anchors: ?anchor.lmp=2027-01-15[&now=…][&until=…] — the planner the journeys run',
        tags: ['pathways'],
        security: bearer,
        params: pathwayIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            now: { type: 'string', maxLength: 40 },
            until: { type: 'string', maxLength: 40 },
            format: {
              type: 'string',
              enum: ['json', 'html'],
              description: 'html: the timeline as one self-contained page (what carepath preview --html writes)',
            },
          },
          patternProperties: { '^anchor\\.[a-z][a-z0-9_]{0,63}$': { type: 'string', maxLength: 40 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              pathway: summarySchema,
              enrolledAt: { type: 'string' },
              status: { type: 'string' },
              estimated: { type: 'array', items: { type: 'string' } },
              entries: { type: 'array', items: { type: 'object', additionalProperties: true } },
              notProjected: { type: 'array', items: { type: 'object', properties: { step: { type: 'string' }, why: { type: 'string' } } } },
              truncated: { type: 'boolean' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const pathway = deps.pathways.get(request.params.id);
      if (!pathway) throw new CarepathError('not-found', `no pathway ${request.params.id} is offered`);
      const anchors: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.query)) if (key.startsWith('anchor.')) anchors[key.slice('anchor.'.length)] = value;
      checkEnrollmentAnchors(pathway, anchors);
      const { now, until } = request.query;
      for (const [name, value] of Object.entries({ now, until })) {
        if (value !== undefined && !parseTime(value, pathway.timezone.offsetMinutes))
          throw new CarepathError('invalid-input', `${name}: '${value}' is not a date (YYYY-MM-DD) or ISO date-time`);
      }
      const enrolledAt = now ?? spanOf(pathway, anchors).start;
      if (!enrolledAt) throw new CarepathError('invalid-input', 'cannot tell when the journey starts: give now= or the anchor the span starts from');
      checkEnrollmentAnchors(pathway, anchors, enrolledAt);
      const projection = projectTimeline(pathway, { enrolledAt, anchors }, until ? { until } : {});
      if (request.query.format === 'html') {
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'")
          .send(timelinePage({ pathway, projection, enrolledAt, anchors }));
      }
      return {
        pathway: summaryOf(pathway),
        enrolledAt,
        status: projection.status,
        estimated: projection.estimated,
        entries: projection.entries.slice(0, MAX_PREVIEW_ENTRIES),
        notProjected: projection.notProjected,
        truncated: projection.entries.length > MAX_PREVIEW_ENTRIES,
      };
    },
  );
};

function summaryOf(p: CompiledPathway) {
  return { id: p.id, version: p.version, hash: p.hash, title: p.title, program: p.program };
}
