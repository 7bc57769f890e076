import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LineCounter, parseDocument } from 'yaml';
import { describeAjvError } from './ajv-messages.ts';
import { CarepathError } from '../errors/carepath-error.ts';
import { locate, pointerSegments } from './yaml-location.ts';

const require = createRequire(import.meta.url);
const schema = require('../schemas/temporal-config.schema.json') as object;

export type SearchAttributeTypeName = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/** How to reach Temporal, after temporal.config.yaml and the environment are merged. */
export interface TemporalSettings {
  /** null: run the embedded dev server. */
  address: string | null;
  namespace: string;
  taskQueue: string;
  apiKey: string | null;
  tls: {
    enabled: boolean;
    serverName: string | null;
    serverRootCACertFile: string | null;
    clientCertFile: string | null;
    clientKeyFile: string | null;
  };
  devServer: { ip: string; port: number; uiPort: number; dbFile: string; logLevel: 'debug' | 'info' | 'warn' | 'error' };
  searchAttributes: Record<string, SearchAttributeTypeName>;
}

/** Everything a carepath process needs to know at start. */
export interface AppConfig {
  temporal: TemporalSettings;
  /** The file the Temporal settings came from, or null when none was found. */
  configFile: string | null;
  /** Where embedded state lives (dev-server SQLite file, PGlite database). */
  dataDir: string;
  /** The pathway files and their content (templates, questionnaires). */
  pathwaysDir: string;
  contentDir: string;
  /** null: use the embedded PGlite database under dataDir. */
  databaseUrl: string | null;
  api: {
    host: string;
    port: number;
    /** Trust X-Forwarded-* from a reverse proxy (CAREPATH_TRUST_PROXY). */
    trustProxy: boolean;
    /** Requests per minute per key; null keeps the API's default (CAREPATH_RATE_LIMIT_PER_MINUTE). */
    rateLimitPerMinute: number | null;
    /** The Temporal Web UI origin allowed to call /codec; null: the embedded UI's (CAREPATH_TEMPORAL_UI_ORIGIN). */
    temporalUiOrigin: string | null;
  };
  /** Worker tuning; null keeps the SDK's default. */
  worker: { maxCachedWorkflows: number | null };
  logLevel: string;
  /**
   * The environment as it was read, once, for the settings their own modules parse: payload and
   * identity keys, channel providers, the bootstrap admin key. Nothing else reads process.env.
   */
  env: Readonly<Env>;
}

type Env = Record<string, string | undefined>;

const ADDRESS = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):[0-9]{1,5}$/;

/**
 * Reads temporal.config.yaml (or CAREPATH_TEMPORAL_CONFIG) and the environment.
 * Throws one CarepathError listing every bad field, one line each, with file:line:col.
 */
export function loadConfig(options: { env?: Env; cwd?: string } = {}): AppConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];

  const explicitFile = env.CAREPATH_TEMPORAL_CONFIG;
  const configFile = path.resolve(cwd, explicitFile ?? 'temporal.config.yaml');
  let fileValues: Record<string, unknown> = {};
  let usedFile: string | null = null;
  if (existsSync(configFile)) {
    usedFile = configFile;
    fileValues = readConfigFile(configFile, cwd, problems);
  } else if (explicitFile) {
    problems.push(`CAREPATH_TEMPORAL_CONFIG: no such file: ${configFile}`);
  }

  const dataDir = path.resolve(cwd, env.CAREPATH_DATA_DIR || '.data');
  const pathwaysDir = path.resolve(cwd, env.CAREPATH_PATHWAYS_DIR || 'pathways');
  const file = fileValues as Partial<TemporalSettings> & { tls?: Partial<TemporalSettings['tls']>; devServer?: Partial<TemporalSettings['devServer']> };

  const address = pick(env.TEMPORAL_ADDRESS, file.address ?? null) || null;
  if (env.TEMPORAL_ADDRESS !== undefined && env.TEMPORAL_ADDRESS !== '' && !ADDRESS.test(env.TEMPORAL_ADDRESS)) {
    problems.push(`TEMPORAL_ADDRESS: expected host:port, got '${env.TEMPORAL_ADDRESS}'`);
  }

  const temporal: TemporalSettings = {
    address,
    namespace: pick(env.TEMPORAL_NAMESPACE, file.namespace ?? 'default'),
    taskQueue: pick(env.TEMPORAL_TASK_QUEUE, file.taskQueue ?? 'carepath-journeys'),
    apiKey: pick(env.TEMPORAL_API_KEY, file.apiKey ?? null) || null,
    tls: {
      enabled: parseBoolean('TEMPORAL_TLS', env.TEMPORAL_TLS, problems) ?? file.tls?.enabled ?? false,
      serverName: pick(env.TEMPORAL_TLS_SERVER_NAME, file.tls?.serverName ?? null) || null,
      serverRootCACertFile: resolveFile(cwd, pick(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH, file.tls?.serverRootCACertFile ?? null)),
      clientCertFile: resolveFile(cwd, pick(env.TEMPORAL_TLS_CLIENT_CERT_PATH, file.tls?.clientCertFile ?? null)),
      clientKeyFile: resolveFile(cwd, pick(env.TEMPORAL_TLS_CLIENT_KEY_PATH, file.tls?.clientKeyFile ?? null)),
    },
    devServer: {
      ip: file.devServer?.ip ?? '127.0.0.1',
      port: file.devServer?.port ?? 7233,
      uiPort: file.devServer?.uiPort ?? 8233,
      dbFile: path.resolve(cwd, file.devServer?.dbFile ?? path.join(dataDir, 'temporal', 'dev.db')),
      logLevel: file.devServer?.logLevel ?? 'warn',
    },
    searchAttributes: (file.searchAttributes as Record<string, SearchAttributeTypeName> | undefined) ?? {},
  };

  const { clientCertFile, clientKeyFile, serverRootCACertFile } = temporal.tls;
  if (Boolean(clientCertFile) !== Boolean(clientKeyFile)) {
    problems.push('tls: clientCertFile and clientKeyFile go together (mTLS needs both)');
  }
  for (const [name, file] of Object.entries({ clientCertFile, clientKeyFile, serverRootCACertFile })) {
    if (file && !existsSync(file)) problems.push(`tls.${name}: no such file: ${file}`);
  }
  if (temporal.apiKey && !temporal.address) {
    problems.push('apiKey is set but address is empty: an API key is for a remote cluster (Temporal Cloud)');
  }

  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL: expected postgres://user:password@host:port/database, got '${redactUrl(databaseUrl)}'`);
  }

  const port = parsePort('PORT', env.PORT, problems) ?? 3000;
  const maxCachedWorkflows = parseCount('CAREPATH_WORKER_MAX_CACHED_WORKFLOWS', env.CAREPATH_WORKER_MAX_CACHED_WORKFLOWS, problems);
  const trustProxy = parseBoolean('CAREPATH_TRUST_PROXY', env.CAREPATH_TRUST_PROXY, problems) ?? false;
  const rateLimit = parseCount('CAREPATH_RATE_LIMIT_PER_MINUTE', env.CAREPATH_RATE_LIMIT_PER_MINUTE, problems);
  if (problems.length > 0) {
    throw new CarepathError('invalid-config', problems.join('\n'), { problems });
  }
  return {
    temporal,
    configFile: usedFile,
    dataDir,
    pathwaysDir,
    contentDir: path.join(pathwaysDir, 'content'),
    databaseUrl,
    api: { host: env.HOST || '127.0.0.1', port, trustProxy, rateLimitPerMinute: rateLimit ?? null, temporalUiOrigin: env.CAREPATH_TEMPORAL_UI_ORIGIN || null },
    worker: { maxCachedWorkflows: maxCachedWorkflows ?? null },
    logLevel: env.LOG_LEVEL || 'info',
    env: Object.freeze({ ...env }),
  };
}

function readConfigFile(file: string, cwd: string, problems: string[]): Record<string, unknown> {
  const shown = path.relative(cwd, file) || file;
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0]);
      problems.push(`${shown}:${line}:${col}: ${e.message.split('\n')[0]}`);
    }
    return {};
  }
  const value = doc.toJS() ?? {};
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
  const validate = ajv.compile(schema);
  if (!validate(value)) {
    for (const error of validate.errors ?? []) {
      const segments = pointerSegments(error.instancePath);
      const isKey = error.keyword === 'additionalProperties';
      const at = isKey ? [...segments, String((error.params as { additionalProperty: string }).additionalProperty)] : segments;
      const { line, col } = locate(doc, lines, at, isKey);
      problems.push(`${shown}:${line}:${col}: ${describeAjvError(error, segments.join('.'))}`);
    }
    return {};
  }
  return value as Record<string, unknown>;
}

function pick<T>(fromEnv: string | undefined, fromFile: T): string | T {
  return fromEnv !== undefined ? fromEnv : fromFile;
}

function resolveFile(cwd: string, file: string | null): string | null {
  return file ? path.resolve(cwd, file) : null;
}

function parseBoolean(name: string, raw: string | undefined, problems: string[]): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  problems.push(`${name}: expected true or false, got '${raw}'`);
  return undefined;
}

function parsePort(name: string, raw: string | undefined, problems: string[]): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    problems.push(`${name}: expected a port number (0-65535), got '${raw}'`);
    return undefined;
  }
  return n;
}

function parseCount(name: string, raw: string | undefined, problems: string[]): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(`${name}: expected a whole number ≥ 0, got '${raw}'`);
    return undefined;
  }
  return n;
}

/** A database URL safe to print: the password is replaced by ***. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+):[^@]*@/i, '$1:***@');
}
