import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CarepathError } from '../../errors/carepath-error.ts';
import { loadConfig } from '../../config/load-config.ts';

function dirWith(yaml?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'carepath-config-'));
  if (yaml !== undefined) writeFileSync(path.join(dir, 'temporal.config.yaml'), yaml);
  return dir;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CarepathError);
    return (err as CarepathError).message.split('\n');
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('runs on embedded defaults with no file and no environment', () => {
    const cwd = dirWith();
    const config = loadConfig({ env: {}, cwd });
    expect(config.configFile).toBeNull();
    expect(config.temporal).toMatchObject({ address: null, namespace: 'default', taskQueue: 'carepath-journeys', apiKey: null });
    expect(config.temporal.devServer).toEqual({
      ip: '127.0.0.1',
      port: 7233,
      uiPort: 8233,
      dbFile: path.join(cwd, '.data', 'temporal', 'dev.db'),
      logLevel: 'warn',
    });
    expect(config.databaseUrl).toBeNull();
    expect(config.api).toEqual({ host: '127.0.0.1', port: 3000, trustProxy: false, rateLimitPerMinute: null, temporalUiOrigin: null });
  });

  it('reads the shipped temporal.config.yaml without complaint', () => {
    const config = loadConfig({ env: {}, cwd: process.cwd() });
    expect(config.configFile).toBe(path.join(process.cwd(), 'temporal.config.yaml'));
    expect(config.temporal.searchAttributes).toMatchObject({ CarepathProgram: 'Keyword', CarepathNextActionAt: 'Datetime' });
  });

  it('lets the environment override the file', () => {
    const cwd = dirWith('address: temporal.internal:7233\nnamespace: prod\ntaskQueue: q1\n');
    const config = loadConfig({
      env: { TEMPORAL_ADDRESS: 'other:7233', TEMPORAL_NAMESPACE: 'staging', TEMPORAL_TASK_QUEUE: 'q2', PORT: '8080', DATABASE_URL: 'postgres://a@b/c' },
      cwd,
    });
    expect(config.temporal).toMatchObject({ address: 'other:7233', namespace: 'staging', taskQueue: 'q2' });
    expect(config.api.port).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://a@b/c');
  });

  it('reads the API settings and keeps the one snapshot of the environment it read', () => {
    const env = {
      CAREPATH_TRUST_PROXY: 'true',
      CAREPATH_RATE_LIMIT_PER_MINUTE: '120',
      CAREPATH_TEMPORAL_UI_ORIGIN: 'https://ui.example.org',
      CAREPATH_CODEC_KEYS: 'k1:abc',
    };
    const config = loadConfig({ env, cwd: dirWith() });
    expect(config.api).toMatchObject({ trustProxy: true, rateLimitPerMinute: 120, temporalUiOrigin: 'https://ui.example.org' });
    env.CAREPATH_CODEC_KEYS = 'changed later';
    expect(config.env.CAREPATH_CODEC_KEYS).toBe('k1:abc');
    expect(Object.isFrozen(config.env)).toBe(true);
    expect(problems(() => loadConfig({ env: { CAREPATH_TRUST_PROXY: 'sometimes', CAREPATH_RATE_LIMIT_PER_MINUTE: '-1' }, cwd: dirWith() }))).toHaveLength(2);
  });

  it('turns TLS on for an API key (Temporal Cloud)', () => {
    const config = loadConfig({ env: { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key' }, cwd: dirWith() });
    expect(config.temporal.apiKey).toBe('key');
  });

  it('reports every bad field at once, each with file:line:col', () => {
    const yaml = [
      'namespace: default',
      'adress: x:1',
      'devServer:',
      '  port: "7233"',
      '  logLevel: loud',
      'searchAttributes:',
      '  CarepathStage: Word',
      '',
    ].join('\n');
    expect(problems(() => loadConfig({ env: {}, cwd: dirWith(yaml) }))).toEqual([
      "temporal.config.yaml:2:1: unknown field 'adress' (did you mean 'address'?)",
      "temporal.config.yaml:4:9: 'devServer.port' must be integer",
      'temporal.config.yaml:5:13: \'devServer.logLevel\' must be one of "debug", "info", "warn", "error"',
      'temporal.config.yaml:7:18: \'searchAttributes.CarepathStage\' must be one of "Keyword", "Text", "Int", "Double", "Bool", "Datetime", "KeywordList"',
    ]);
  });

  it('names a YAML syntax error with its position', () => {
    const lines = problems(() => loadConfig({ env: {}, cwd: dirWith('namespace: [default\n') }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^temporal\.config\.yaml:\d+:\d+: /);
  });

  it('rejects bad environment values with the variable name', () => {
    expect(problems(() => loadConfig({ env: { PORT: 'eighty', TEMPORAL_TLS: 'maybe', TEMPORAL_ADDRESS: 'no-port' }, cwd: dirWith() }))).toEqual([
      "TEMPORAL_ADDRESS: expected host:port, got 'no-port'",
      "TEMPORAL_TLS: expected true or false, got 'maybe'",
      "PORT: expected a port number (0-65535), got 'eighty'",
    ]);
  });

  it('requires mTLS certificate and key together, and both to exist', () => {
    const lines = problems(() => loadConfig({ env: { TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem' }, cwd: dirWith() }));
    expect(lines).toEqual(['tls: clientCertFile and clientKeyFile go together (mTLS needs both)', 'tls.clientCertFile: no such file: /nonexistent/client.pem']);
  });

  it('names a missing explicit config file', () => {
    expect(problems(() => loadConfig({ env: { CAREPATH_TEMPORAL_CONFIG: 'missing.yaml' }, cwd: dirWith() }))[0]).toMatch(
      /^CAREPATH_TEMPORAL_CONFIG: no such file: .*missing\.yaml$/,
    );
  });
});
