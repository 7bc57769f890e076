import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import pino from 'pino';
import { inject } from 'vitest';
import { createApiClient } from '../../../api/auth/api-keys.ts';
import { loadConfig } from '../../../config/load-config.ts';
import { silentProgress } from '../../../infra/progress.ts';
import type { Logger } from '../../../logging/logger.ts';
import { startPlatform, type RunningPlatform } from '../../../platform/start-platform.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/database.ts';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures', import.meta.url));

/** Keys of one API client per role (two butlers), created straight in the database. */
export interface Keys {
  admin: string;
  coordinator: string;
  butler: string;
  otherButler: string;
  doctor: string;
  ops: string;
  integrator: string;
}

export interface ApiPlatform {
  platform: RunningPlatform;
  database: ThrowawayDatabase;
  url: string;
  keys: Keys;
  /** Every log line the platform wrote, as text. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * The whole platform (startPlatform) on the real Temporal dev server of the test run and a
 * throwaway PostgreSQL database, serving the pathways under tests/api/fixtures on a free port.
 */
export async function startApiPlatform(env: Record<string, string> = {}): Promise<ApiPlatform> {
  const database = await createThrowawayDatabase();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  // A real pino logger at debug level, with the same redactions as the CLI's, kept in memory.
  const logger = pino(
    { level: 'debug', redact: { paths: ['req.headers.authorization', 'patient', '*.patient', 'identity', '*.identity'], censor: '[redacted]' } },
    sink,
  ) as unknown as Logger;
  const config = loadConfig({
    env: {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DATABASE_URL: database.url,
      PORT: '0',
      TEMPORAL_TASK_QUEUE: `api-${randomUUID()}`,
      CAREPATH_PATHWAYS_DIR: FIXTURES_DIR,
      CAREPATH_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'carepath-api-')),
      ...env,
    },
  });
  const platform = await startPlatform(config, logger, silentProgress);
  const key = async (name: string, role: string, butlerId?: string) =>
    (await createApiClient(database.db, { name, role, createdBy: 'test', ...(butlerId ? { butlerId } : {}) })).key;
  const keys: Keys = {
    admin: await key('测试管理员', 'admin'),
    coordinator: await key('个案管理师', 'coordinator'),
    butler: await key('王管家', 'butler', 'b1'),
    otherButler: await key('李管家', 'butler', 'b2'),
    doctor: await key('张医生', 'doctor'),
    ops: await key('运营', 'ops'),
    integrator: await key('医院前端', 'integrator'),
  };
  return {
    platform,
    database,
    url: platform.apiUrl!,
    keys,
    logs,
    async stop() {
      await platform.stop();
      await database.drop();
    },
  };
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** One HTTP call to the API; JSON in and out. */
export async function call<T = any>(
  base: string,
  method: string,
  url: string,
  options: { key?: string; body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | Uint8Array | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${base}${url}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (CSV, HTML, metrics)
  }
  return { status: response.status, body: parsed as T, headers: response.headers, text };
}

/** The local (Asia/Shanghai) calendar date `days` from now. */
export function shanghaiDate(days = 0, from = Date.now()): string {
  return new Date(from + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

let patientCounter = 0;

/** An enrolment request for the fixture pathway with a fresh (fictional) patient. */
export function enrollmentRequest(overrides: Record<string, unknown> = {}) {
  patientCounter += 1;
  const serial = `${Date.now() % 1_000_000}${patientCounter}`.padStart(8, '0');
  return {
    patient: {
      name: `测试患者${serial}`,
      phone: `139${serial.slice(-8)}`,
      idType: 'resident-id',
      idNumber: `TEST${serial}`,
      gender: 'female',
      wechatOpenId: `oTEST_${serial}_openid`,
      appUserId: `app-${serial}`,
    },
    consent: {
      scope: ['care-management', 'data-processing', 'wechat-contact', 'sms-contact', 'app-contact'],
      givenAt: new Date(Date.now() - 60_000).toISOString(),
      recordedBy: 'coordinator-1',
      method: 'electronic',
    },
    program: 'test.api-care',
    anchors: { lmp: shanghaiDate(-100) },
    butlerId: 'b1',
    ...overrides,
  };
}
