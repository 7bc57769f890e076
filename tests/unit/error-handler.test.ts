import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../api/plugins/error-handler.ts';
import { CarepathError, type ErrorCode } from '../../errors/carepath-error.ts';

async function answer(code: ErrorCode, details?: unknown) {
  const app = Fastify({ logger: false });
  installErrorHandler(app);
  app.get('/', async () => {
    throw new CarepathError(code, `the message of ${code}`, details);
  });
  const res = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  return { status: res.statusCode, body: res.json() };
}

describe('the API error handler', () => {
  it.each([
    ['invalid-input', 422],
    ['not-found', 404],
    ['conflict', 409],
    ['pathway-refused', 409],
    ['forbidden', 403],
  ] as const)('answers %s with %i and what was wrong', async (code, status) => {
    expect(await answer(code, { field: 'x' })).toEqual({ status, body: { error: code, message: `the message of ${code}`, details: { field: 'x' } } });
  });

  it('answers a platform fault as a 500 that keeps its code and hides its message', async () => {
    expect(await answer('identity-decrypt-failed', { keyId: 'k1' })).toEqual({
      status: 500,
      body: { error: 'identity-decrypt-failed', message: 'internal error (identity-decrypt-failed); see the server log', details: null },
    });
  });

  it('says which dependency is down with a 503', async () => {
    expect(await answer('temporal-unreachable')).toMatchObject({
      status: 503,
      body: { error: 'temporal-unreachable', message: 'the message of temporal-unreachable' },
    });
  });
});
