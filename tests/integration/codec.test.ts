import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter, type DataConverter, type Payload } from '@temporalio/common';
import protos from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installErrorHandler } from '../../api/plugins/error-handler.ts';
import { codecRoutes, type CodecAuditEntry, type CodecOperator } from '../../api/routes/codec.ts';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  encryptingDataConverter,
  loadKeyRing,
  payloadToJson,
  type JsonPayload,
  type KeyRing,
} from '../../temporal/codec/index.ts';
import { checkInSignal, type CodecActivities, type CodecPatient } from '../fixtures/codec-workflows.ts';

const workflowsPath = fileURLToPath(new URL('../fixtures/codec-workflows.ts', import.meta.url));
const HistoryProto = protos.temporal.api.history.v1.History;
type History = protos.temporal.api.history.v1.IHistory;

// Distinctive enough that finding it in a history can only mean it leaked.
const PATIENT: CodecPatient = { name: 'Zhao Meiling Quokka', mrn: 'MRN-CODEC-931257' };
const UI_ORIGIN = 'http://127.0.0.1:8233';

const activities: CodecActivities = {
  async formatGreeting(patient) {
    return `Hello ${patient.name} (${patient.mrn})`;
  },
};

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const ringK1 = loadKeyRing({ CAREPATH_CODEC_KEYS: `k1:${k1}` })!;
const ringRotated = loadKeyRing({ CAREPATH_CODEC_KEYS: `k1:${k1},k2:${k2}` })!;

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

/** Every Payload anywhere in a history: inputs, results, memo fields, encoded failure attributes. */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const record = value as Record<string, unknown>;
  const metadata = record.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata === 'object' && metadata.encoding instanceof Uint8Array) found.push(record as Payload);
  for (const child of Object.values(record)) payloadsIn(child, found);
  return found;
}

/** Whether a text occurs anywhere in the history's protobuf bytes (JSON would hide it in base64). */
function historyContains(history: History, needle: string): boolean {
  return Buffer.from(HistoryProto.encode(history).finish()).includes(needle);
}

describe('Temporal payload encryption (real dev server)', () => {
  let connection: Connection;
  let nativeConnection: NativeConnection;
  /** A client without the codec: what anyone reading Temporal's history directly sees. */
  let rawClient: Client;

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    rawClient = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await nativeConnection?.close();
  });

  /** Runs `work` with a worker and a client that share `dataConverter` (none: plain payloads). */
  async function withWorker<T>(dataConverter: DataConverter | undefined, taskQueue: string, work: (client: Client) => Promise<T>): Promise<T> {
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath, activities, ...(dataConverter ? { dataConverter } : {}) });
    const client = new Client({ connection, ...(dataConverter ? { dataConverter } : {}) });
    return worker.runUntil(work(client));
  }

  async function greet(dataConverter: DataConverter | undefined): Promise<{ result: string; history: History }> {
    const taskQueue = `codec-${randomUUID()}`;
    const workflowId = `codec-greet-${randomUUID()}`;
    const result = await withWorker(dataConverter, taskQueue, (client) =>
      client.workflow.execute('greetPatient', { taskQueue, workflowId, args: [PATIENT], memo: { patientName: PATIENT.name } }),
    );
    return { result: result as string, history: await rawClient.workflow.getHandle(workflowId).fetchHistory() };
  }

  it('keeps patient data out of the history: inputs, results, activity payloads and memo are encrypted', async () => {
    const { result, history } = await greet(encryptingDataConverter(ringK1));
    expect(result).toBe(`Hello ${PATIENT.name} (${PATIENT.mrn})`);

    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(text(input.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(input.metadata![KEY_ID_METADATA])).toBe('k1');

    const payloads = payloadsIn(history);
    // workflow input, memo, activity input, activity result, workflow result
    expect(payloads.length).toBeGreaterThanOrEqual(5);
    for (const payload of payloads) expect(text(payload.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(historyContains(history, PATIENT.name)).toBe(false);
    expect(historyContains(history, PATIENT.mrn)).toBe(false);
    expect(historyContains(history, 'json/plain')).toBe(false);
  });

  it('control: without the codec the same search finds the patient in the history', async () => {
    const { history } = await greet(undefined);
    expect(historyContains(history, PATIENT.name)).toBe(true);
  });

  it('encrypts failure messages; a client with the codec reads them', async () => {
    const taskQueue = `codec-${randomUUID()}`;
    const workflowId = `codec-fail-${randomUUID()}`;
    const failure = await withWorker(encryptingDataConverter(ringK1), taskQueue, (client) =>
      client.workflow.execute('failForPatient', { taskQueue, workflowId, args: [PATIENT] }).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause?.message).toBe(`no care plan for ${PATIENT.name}`);

    const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
    const failed = history.events!.at(-1)!.workflowExecutionFailedEventAttributes!;
    expect(failed.failure!.message).toBe('Encoded failure');
    expect(historyContains(history, PATIENT.name)).toBe(false);
  });

  it.each([
    ['before encryption was enabled', undefined, 'json/plain', undefined],
    ['under the key rotated out', ringK1, ENCRYPTED_ENCODING, 'k1'],
  ] as const)('finishes a journey started %s, after a restart with the rotated key ring', async (_when, firstRing, inputEncoding, inputKeyId) => {
    const taskQueue = `codec-${randomUUID()}`;
    const workflowId = `codec-rotate-${randomUUID()}`;
    await withWorker(firstRing && encryptingDataConverter(firstRing), taskQueue, async (client) => {
      const handle = await client.workflow.start('awaitCheckIn', { taskQueue, workflowId, args: [PATIENT] });
      await waitForFirstWorkflowTask(handle.workflowId);
    });

    // A new worker has no cached state: it replays the whole history, old payloads included.
    const result = await withWorker(encryptingDataConverter(ringRotated), taskQueue, async (client) => {
      const handle = client.workflow.getHandle(workflowId);
      await handle.signal(checkInSignal, 'fasting since 22:00');
      return handle.result();
    });
    expect(result).toBe(`${PATIENT.name} checked in: fasting since 22:00`);

    const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(text(input.metadata!.encoding)).toBe(inputEncoding);
    if (inputKeyId) expect(text(input.metadata![KEY_ID_METADATA])).toBe(inputKeyId);
    const signal = history.events!.find((event) => event.workflowExecutionSignaledEventAttributes)!;
    expect(text(signal.workflowExecutionSignaledEventAttributes!.input!.payloads![0]!.metadata![KEY_ID_METADATA])).toBe('k2');
  });

  async function waitForFirstWorkflowTask(workflowId: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
      if (history.events!.some((event) => event.workflowTaskCompletedEventAttributes)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`workflow ${workflowId} never completed its first workflow task`);
  }

  describe('codec endpoint for the Web UI', () => {
    const TOKENS: Record<string, CodecOperator> = {
      'ops-token': { id: 'ops-li', roles: ['ops'] },
      'admin-token': { id: 'admin-chen', roles: ['butler', 'admin'] },
      'butler-token': { id: 'butler-wu', roles: ['butler'] },
    };
    let app: FastifyInstance;
    let audits: CodecAuditEntry[];

    async function authorize(request: FastifyRequest): Promise<CodecOperator | null> {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      return (token && TOKENS[token]) || null;
    }

    beforeAll(async () => {
      audits = [];
      app = Fastify();
      installErrorHandler(app);
      await app.register(codecRoutes, {
        codec: new AesGcmPayloadCodec(ringRotated),
        authorize,
        audit: async (entry) => void audits.push(entry),
        allowedOrigins: [UI_ORIGIN],
      });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
    });

    function post(action: 'decode' | 'encode', payloads: JsonPayload[], headers: Record<string, string> = {}) {
      return app.inject({
        method: 'POST',
        url: `/codec/${action}`,
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: UI_ORIGIN, ...headers },
        payload: JSON.stringify({ payloads }),
      });
    }

    async function encryptedJson(value: unknown, keyRing: KeyRing = ringRotated): Promise<JsonPayload> {
      const [encrypted] = await new AesGcmPayloadCodec(keyRing).encode([defaultPayloadConverter.toPayload(value)]);
      return payloadToJson(encrypted!);
    }

    it('decodes the encrypted workflow input from a real history into the original payload, and audits it', async () => {
      const { history } = await greet(encryptingDataConverter(ringK1));
      const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      const plain = payloadToJson(defaultPayloadConverter.toPayload('not encrypted'));
      audits.length = 0;

      const response = await post('decode', [payloadToJson(input), plain], { authorization: 'Bearer ops-token' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      const { payloads } = response.json<{ payloads: JsonPayload[] }>();
      expect(payloads).toEqual([payloadToJson(defaultPayloadConverter.toPayload(PATIENT)), plain]);
      expect(audits).toEqual([{ action: 'codec.decode', actor: 'ops-li', actorRoles: ['ops'], namespace: 'default', payloadCount: 2, sourceIp: '127.0.0.1' }]);
      expect(JSON.stringify(audits)).not.toContain(PATIENT.name);
    });

    it('answers 401 without credentials and 403 without role ops or admin, readable by the UI', async () => {
      const payload = await encryptedJson(PATIENT);
      audits.length = 0;

      const anonymous = await post('decode', [payload]);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer');
      expect(anonymous.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
      expect(anonymous.json()).toEqual({ error: 'unauthorized', message: expect.any(String), details: null });

      const unknownToken = await post('decode', [payload], { authorization: 'Bearer forged' });
      expect(unknownToken.statusCode).toBe(401);

      const butler = await post('decode', [payload], { authorization: 'Bearer butler-token' });
      expect(butler.statusCode).toBe(403);
      expect(butler.json()).toEqual({
        error: 'forbidden',
        message: 'the codec endpoint needs role ops or admin',
        details: { requiredRoles: ['ops', 'admin'] },
      });
      expect(butler.body).not.toContain(PATIENT.name);

      const encodeAsButler = await post('encode', [payload], { authorization: 'Bearer butler-token' });
      expect(encodeAsButler.statusCode).toBe(403);

      const admin = await post('decode', [payload], { authorization: 'Bearer admin-token' });
      expect(admin.statusCode).toBe(200);
      expect(audits.map((entry) => entry.actor)).toEqual(['admin-chen']);
    });

    it('answers the CORS preflight from the Web UI origin, and refuses other origins', async () => {
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers).toMatchObject({
        'access-control-allow-origin': UI_ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'Authorization, Content-Type, X-Namespace',
        vary: 'Origin',
      });
      const allowedHeaders = String(preflight.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
      expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-namespace']));

      const elsewhere = await app.inject({
        method: 'OPTIONS',
        url: '/codec/encode',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(elsewhere.statusCode).toBe(403);
      expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();

      const payload = await encryptedJson(PATIENT);
      const crossSite = await post('decode', [payload], { authorization: 'Bearer ops-token', origin: 'https://evil.example' });
      expect(crossSite.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('encodes for the UI with the active key, and decodes it back', async () => {
      const plain = payloadToJson(defaultPayloadConverter.toPayload(PATIENT));
      const encoded = await post('encode', [plain], { authorization: 'Bearer ops-token' });
      expect(encoded.statusCode).toBe(200);
      const [encrypted] = encoded.json<{ payloads: JsonPayload[] }>().payloads;
      expect(Buffer.from(encrypted!.metadata!.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(encrypted!.metadata![KEY_ID_METADATA]!, 'base64').toString()).toBe('k2');

      const decoded = await post('decode', [encrypted!], { authorization: 'Bearer ops-token' });
      expect(decoded.json<{ payloads: JsonPayload[] }>().payloads).toEqual([plain]);
      expect(audits.at(-2)).toMatchObject({ action: 'codec.encode', actor: 'ops-li', payloadCount: 1 });
    });

    it('answers 400 with the error body for bad requests and undecryptable payloads', async () => {
      const auth = { authorization: 'Bearer ops-token' };
      const payload = await encryptedJson(PATIENT);

      const noNamespace = await app.inject({
        method: 'POST',
        url: '/codec/decode',
        headers: { 'content-type': 'application/json', ...auth },
        payload: JSON.stringify({ payloads: [payload] }),
      });
      expect(noNamespace.statusCode).toBe(400);
      expect(noNamespace.json()).toMatchObject({ error: 'invalid-request' });

      const noPayloads = await app.inject({
        method: 'POST',
        url: '/codec/decode',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...auth },
        payload: '{}',
      });
      expect(noPayloads.statusCode).toBe(400);

      // Read as proto3 JSON is: bytes in base64, a field the Payload message lacks refused, not dropped, nothing coerced.
      for (const [what, bad, where] of [
        ['not base64', { data: '***' }, 'body/payloads/0/data'],
        ['a field Payload lacks', { ...payload, extra: true }, 'body/payloads/0'],
        ['a null size', { ...payload, externalPayloads: [{ sizeBytes: null }] }, 'body/payloads/0/externalPayloads/0/sizeBytes'],
      ] as const) {
        const answer = await post('decode', [bad as never], auth);
        expect(answer.statusCode, what).toBe(400);
        expect(answer.json(), what).toMatchObject({ error: 'invalid-request', message: expect.stringContaining(where) });
      }

      const tamperedData = Buffer.from(payload.data!, 'base64');
      tamperedData[20] = tamperedData[20]! ^ 0x01;
      const tampered = await post('decode', [{ ...payload, data: tamperedData.toString('base64') }], auth);
      expect(tampered.statusCode).toBe(400);
      expect(tampered.json()).toMatchObject({ error: 'codec-decrypt-failed' });

      const unknownKey = await post(
        'decode',
        [await encryptedJson(PATIENT, loadKeyRing({ CAREPATH_CODEC_KEYS: `k0:${randomBytes(32).toString('base64')}` })!)],
        auth,
      );
      expect(unknownKey.statusCode).toBe(400);
      expect(unknownKey.json()).toMatchObject({ error: 'codec-unknown-key', details: { keyId: 'k0' } });
      expect(unknownKey.body).not.toContain(k1);
      expect(unknownKey.body).not.toContain(k2);
    });

    it('sends nothing when the audit log cannot record the decode', async () => {
      const failingAudit = Fastify({ logger: false });
      installErrorHandler(failingAudit);
      await failingAudit.register(codecRoutes, {
        codec: new AesGcmPayloadCodec(ringRotated),
        authorize,
        audit: async () => {
          throw new Error('audit log unavailable');
        },
        allowedOrigins: [UI_ORIGIN],
      });
      const response = await failingAudit.inject({
        method: 'POST',
        url: '/codec/decode',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', authorization: 'Bearer ops-token' },
        payload: JSON.stringify({ payloads: [await encryptedJson(PATIENT)] }),
      });
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain(Buffer.from(JSON.stringify(PATIENT)).toString('base64'));
      expect(response.json()).toMatchObject({ error: 'internal' });
      await failingAudit.close();
    });
  });
});
