/**
 * Delivery receipts (issue 14, item 3): the SMS providers' pushes, in their documented shapes,
 * update the sent messages they report on, authenticated by the token in the callback URL; the
 * messages route shows the outcome (real PostgreSQL; the API without Temporal, which receipts never touch).
 */
import { Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { findOutboxMessage, insertOutboxMessageOnce } from '../../db/repositories/outbox.ts';
import { PathwayRegistry } from '../../pathway/registry.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { insertEnrollment } from '../support/enrollments.ts';
import { testLogger } from '../support/logger.ts';

const ALIYUN_TOKEN = 'aliyun-receipt-token-0123456789abcdef';
const TENCENT_TOKEN = 'tencent-receipt-token-0123456789abcdef';

describe('delivery receipts from the SMS providers', () => {
  let database: ThrowawayDatabase;
  let server: FastifyInstance;
  let connection: Connection;
  let enrollmentId: string;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
    connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: [] });
    server = await buildServer(
      {
        db: database.db,
        pathways: new PathwayRegistry(),
        temporal: { connection, client: null as never, namespace: 'default', taskQueue: 'q' },
        receiptTokens: { 'aliyun-sms': ALIYUN_TOKEN, 'tencent-sms': TENCENT_TOKEN },
      },
      testLogger,
    );
    enrollmentId = await insertEnrollment(database.db);
  });
  afterAll(async () => {
    await server?.close();
    await connection?.close();
    await database?.drop();
  });

  /** A message sent by SMS, with the provider's id. */
  async function sent(key: string, providerMessageId: string) {
    await insertOutboxMessageOnce(database.db, {
      idempotencyKey: key,
      enrollmentId,
      stepId: 's',
      channel: 'sms',
      audience: 'patient',
      templateId: 't',
      variables: {},
      urgent: false,
    });
    await database.db
      .updateTable('outbox_messages')
      .set({ status: 'sent', provider_message_id: providerMessageId, sent_at: new Date() })
      .where('idempotency_key', '=', key)
      .execute();
  }

  const push = (provider: string, token: string | null, body: unknown) =>
    server.inject({ method: 'POST', url: `/channels/${provider}/receipts${token === null ? '' : `?token=${token}`}`, payload: body as object });

  it('records Aliyun SmsReport pushes by biz_id, or by out_id for a message whose id was found again, and answers as Aliyun expects', async () => {
    await sent(`${enrollmentId}/a#1/sms`, '900619746936498440^0');
    await sent(`${enrollmentId}/b#1/sms`, `aliyun:${enrollmentId}/b#1/sms`);
    const answer = await push('aliyun-sms', ALIYUN_TOKEN, [
      {
        phone_number: '13900001111',
        send_time: '2027-03-13 09:00:00',
        report_time: '2027-03-13 09:00:05',
        success: true,
        err_code: 'DELIVERED',
        err_msg: '用户接收成功',
        sms_size: '1',
        biz_id: '900619746936498440^0',
        out_id: `${enrollmentId}/a#1/sms`,
      },
      {
        phone_number: '13900001111',
        send_time: '2027-03-13 09:01:00',
        report_time: '2027-03-13 09:01:09',
        success: false,
        err_code: 'MK:0012',
        err_msg: '号码停机',
        sms_size: '1',
        biz_id: '111^0',
        out_id: `${enrollmentId}/b#1/sms`,
      },
      { phone_number: '13900002222', success: true, biz_id: 'someone-else^0', report_time: '2027-03-13 09:02:00' },
    ]);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toEqual({ code: 0, msg: '成功' });
    expect(await findOutboxMessage(database.db, `${enrollmentId}/a#1/sms`)).toMatchObject({
      delivery: 'delivered',
      delivery_code: 'DELIVERED',
      delivered_at: new Date('2027-03-13T09:00:05+08:00'),
    });
    expect(await findOutboxMessage(database.db, `${enrollmentId}/b#1/sms`)).toMatchObject({ delivery: 'undelivered', delivery_code: 'MK:0012' });
    // The number and the provider's text are never stored.
    const rows = await database.db.selectFrom('outbox_messages').selectAll().where('enrollment_id', '=', enrollmentId).execute();
    expect(JSON.stringify(rows)).not.toMatch(/13900001111|停机|接收成功/);
  });

  it('records Tencent status callbacks by sid; a later report replaces an earlier one, an older one does not', async () => {
    await sent(`${enrollmentId}/c#1/sms`, '2433:7d1c0f9a3b');
    const report = (status: string, errmsg: string, at: string) => ({
      user_receive_time: at,
      nationcode: '86',
      mobile: '13900003333',
      report_status: status,
      errmsg,
      description: '…',
      sid: '2433:7d1c0f9a3b',
    });
    expect((await push('tencent-sms', TENCENT_TOKEN, [report('FAIL', 'MI:0013', '2027-03-13 10:00:00')])).json()).toEqual({ result: 0, errmsg: 'OK' });
    await push('tencent-sms', TENCENT_TOKEN, [report('SUCCESS', 'DELIVRD', '2027-03-13 10:05:00')]);
    await push('tencent-sms', TENCENT_TOKEN, [report('FAIL', 'MI:0013', '2027-03-13 09:59:00')]);
    expect(await findOutboxMessage(database.db, `${enrollmentId}/c#1/sms`)).toMatchObject({
      delivery: 'delivered',
      delivery_code: 'DELIVRD',
      delivered_at: new Date('2027-03-13T10:05:00+08:00'),
    });
  });

  it('refuses a push without the token, or with another, and one that is not a batch of reports, changing nothing', async () => {
    await sent(`${enrollmentId}/d#1/sms`, '222^0');
    const batch = [{ success: true, biz_id: '222^0' }];
    expect((await push('aliyun-sms', null, batch)).statusCode).toBe(400);
    const wrong = await push('aliyun-sms', TENCENT_TOKEN, batch);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'unauthorized' });
    expect((await push('aliyun-sms', ALIYUN_TOKEN, { biz_id: '222^0' })).statusCode).toBe(400);
    expect((await push('tencent-sms', TENCENT_TOKEN, [{ sid: 'x', report_status: 'MAYBE' }])).statusCode).toBe(400);
    expect(await findOutboxMessage(database.db, `${enrollmentId}/d#1/sms`)).toMatchObject({ delivery: null });
  });

  it('has no receipt route for a provider with no token configured', async () => {
    const bare = await buildServer(
      { db: database.db, pathways: new PathwayRegistry(), temporal: { connection, client: null as never, namespace: 'default', taskQueue: 'q' } },
      testLogger,
    );
    try {
      expect((await bare.inject({ method: 'POST', url: '/channels/aliyun-sms/receipts?token=anything', payload: [] })).statusCode).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
