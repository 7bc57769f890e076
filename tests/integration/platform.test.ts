import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import Fastify from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { app } from '../../api/app.ts';
import { PathwayRegistry } from '../../pathway/registry.ts';
import type { Database } from '../../db/database.ts';
import { loadConfig } from '../../config/load-config.ts';
import { freePort } from '../../infra/ports.ts';
import { silentProgress } from '../../infra/progress.ts';
import { startPlatform, type RunningPlatform } from '../../platform/start-platform.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { testLogger } from '../support/logger.ts';

describe('the platform against a real Temporal server and real PostgreSQL', () => {
  let database: ThrowawayDatabase;
  let platform: RunningPlatform;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    const config = loadConfig({
      env: {
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        DATABASE_URL: database.url,
        PORT: '0',
        TEMPORAL_TASK_QUEUE: 'platform-test',
        CAREPATH_PATHWAYS_DIR: 'tests/pathway/fixtures/valid',
        CAREPATH_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'carepath-platform-')),
      },
    });
    platform = await startPlatform(config, testLogger, silentProgress);
  });
  afterAll(async () => {
    await platform?.stop();
    await database?.drop();
  });

  it('answers GET /health with ok for Temporal and the database', async () => {
    const response = await fetch(`${platform.apiUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', temporal: 'ok', database: 'ok' });
  });

  it('registered the search attributes of temporal.config.yaml', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['CarepathProgram', 'CarepathStage', 'CarepathNextActionAt']));
    } finally {
      await connection.close();
    }
  });

  it('migrated the database and recorded the compiled pathway versions', async () => {
    const tables = await database.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['audit_log', 'enrollments', 'tasks', 'outbox_messages', 'journey_events', 'pathway_versions']),
    );
    const versions = await database.db.selectFrom('pathway_versions').select(['pathway_id', 'version']).orderBy('pathway_id').execute();
    expect(versions.map((v) => v.pathway_id)).toEqual([
      'obstetrics.pregnancy-demo',
      'post-checkup.basic-demo',
      'reproductive.holiday-demo',
      'reproductive.ivf-demo',
      'test.held-up',
    ]);
  });

  it('answers a JSON 404 in the one error format for an unknown route', async () => {
    const response = await fetch(`${platform.apiUrl}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not-found', message: 'no route GET /nope', details: null });
  });
});

describe('GET /health when a dependency is down', () => {
  it('answers 503 naming the database when PostgreSQL does not answer', async () => {
    const closedPort = await freePort();
    const deadDb = new Kysely<Database>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: `postgres://nobody@127.0.0.1:${closedPort}/none`, connectionTimeoutMillis: 1000 }),
      }),
    });
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const server = Fastify();
    await server.register(app, {
      deps: { db: deadDb, pathways: new PathwayRegistry(), temporal: { connection, client: null as never, namespace: 'default', taskQueue: 'q' } },
    });
    try {
      const response = await server.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(503);
      const body = response.json();
      expect(body).toMatchObject({ status: 'unavailable', temporal: 'ok', database: 'unavailable' });
      expect(body.details.database).toMatch(/ECONNREFUSED|connect/);
    } finally {
      await server.close();
      await connection.close();
      await deadDb.destroy();
    }
  });

  it('answers 503 naming Temporal when the Temporal server does not answer', async () => {
    const database = await createThrowawayDatabase();
    // No gRPC retry interceptor: its retry timer would outlive the closed connection and throw unhandled.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] });
    const server = Fastify();
    await server.register(app, {
      deps: { db: database.db, pathways: new PathwayRegistry(), temporal: { connection, client: null as never, namespace: 'default', taskQueue: 'q' } },
    });
    try {
      const response = await server.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 'unavailable', temporal: 'unavailable', database: 'ok' });
    } finally {
      await server.close();
      await connection.close();
      await database.drop();
    }
  });
});
