/**
 * A local fake of Tencent Cloud SMS (API 2021-01-11) following its documented contract: POST
 * JSON with X-TC-Action/Version/Timestamp, signed TC3-HMAC-SHA256 (checked, with the 5-minute
 * window: AuthFailure.SignatureFailure / SignatureExpire), SendSms checked against the SMS
 * application, sign and approved templates (per-number codes in SendStatusSet, request errors in
 * Response.Error), SessionContext returned by PullSmsSendStatusByPhoneNumber's status reports.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { startFakeServer, type FakeAnswer } from './http-fake.ts';

export interface TencentSent {
  phone: string;
  templateId: string;
  params: string[];
  sessionContext: string | undefined;
  serialNo: string;
  at: number;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

export async function startTencentSmsFake(options: {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  templates: Record<string, number>;
}) {
  const sent: TencentSent[] = [];
  const faults: ((request: Record<string, unknown>) => FakeAnswer | null)[] = [];
  const answer = (response: Record<string, unknown>): FakeAnswer => ({ body: { Response: { ...response, RequestId: randomUUID() } } });
  const error = (code: string, message: string) => answer({ Error: { Code: code, Message: message } });

  function signatureProblem(req: IncomingMessage, body: string): FakeAnswer | null {
    const auth = /^TC3-HMAC-SHA256 Credential=([^/]+)\/([0-9-]{10})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      String(req.headers.authorization ?? ''),
    );
    if (!auth) return error('AuthFailure.InvalidAuthorization', 'Authorization is invalid.');
    const [, secretId, date, service, signedHeaders, signature] = auth as unknown as string[];
    if (secretId !== options.secretId) return error('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    const timestamp = Number(req.headers['x-tc-timestamp']);
    if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return error('AuthFailure.SignatureExpire', 'Signature expired.');
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date)
      return error('AuthFailure.SignatureFailure', 'The credential date is not the timestamp’s.');
    const headers = signedHeaders!.split(';');
    if (!headers.includes('content-type') || !headers.includes('host')) return error('AuthFailure.SignatureFailure', 'content-type and host must be signed.');
    // The host as signed is the endpoint's host name: Tencent's endpoints have no port, and the SDK signs a test endpoint's without it.
    const value = (h: string) => (h === 'host' ? String(req.headers.host ?? '').replace(/:[0-9]+$/, '') : String(req.headers[h] ?? ''));
    const canonicalHeaders = headers.map((h) => `${h}:${value(h).trim().toLowerCase()}\n`).join('');
    const canonical = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256(body)].join('\n');
    const scope = `${date}/${service}/tc3_request`;
    const toSign = ['TC3-HMAC-SHA256', String(timestamp), scope, sha256(canonical)].join('\n');
    const signing = hmac(hmac(hmac(`TC3${options.secretKey}`, date!), service!), 'tc3_request');
    if (createHmac('sha256', signing).update(toSign, 'utf8').digest('hex') !== signature)
      return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
    return null;
  }

  function sendSms(r: Record<string, unknown>): FakeAnswer {
    if (r['SmsSdkAppId'] !== options.sdkAppId) return error('FailedOperation.SmsSdkAppIdVerifyFail', 'SdkAppId verify fail.');
    if (r['SignName'] !== options.signName) return error('FailedOperation.SignatureIncorrectOrUnapproved', 'signature incorrect or unapproved.');
    const phones = r['PhoneNumberSet'];
    if (!Array.isArray(phones) || phones.length === 0 || phones.length > 200)
      return error('InvalidParameterValue.IncorrectPhoneNumber', 'incorrect phone number.');
    const templateId = String(r['TemplateId'] ?? '');
    const count = options.templates[templateId];
    if (count === undefined) return error('FailedOperation.TemplateIncorrectOrUnapproved', 'template incorrect or unapproved.');
    const params = r['TemplateParamSet'] ?? [];
    if (!Array.isArray(params) || params.length !== count || !params.every((p) => typeof p === 'string')) {
      return error('InvalidParameterValue.TemplateParameterFormatError', 'template parameter format error.');
    }
    const context = typeof r['SessionContext'] === 'string' ? r['SessionContext'] : undefined;
    const statuses = phones.map((phone) => {
      if (typeof phone !== 'string' || !/^\+861[3-9][0-9]{9}$/.test(phone)) {
        return {
          SerialNo: '',
          PhoneNumber: String(phone),
          Fee: 0,
          SessionContext: context ?? '',
          Code: 'InvalidParameterValue.IncorrectPhoneNumber',
          Message: 'incorrect phone number',
          IsoCode: 'CN',
        };
      }
      const serialNo = `2433:${randomUUID().replaceAll('-', '').slice(0, 20)}`;
      sent.push({ phone, templateId, params: params as string[], sessionContext: context, serialNo, at: Math.floor(Date.now() / 1000) });
      return { SerialNo: serialNo, PhoneNumber: phone, Fee: 1, SessionContext: context ?? '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' };
    });
    return answer({ SendStatusSet: statuses });
  }

  function pullStatusByPhone(r: Record<string, unknown>): FakeAnswer {
    const begin = Number(r['BeginTime']);
    const end = r['EndTime'] === undefined ? Infinity : Number(r['EndTime']);
    if (r['SmsSdkAppId'] !== options.sdkAppId || !Number.isFinite(begin) || typeof r['PhoneNumber'] !== 'string')
      return error('InvalidParameter', 'invalid parameter.');
    const found = sent.filter((m) => m.phone === r['PhoneNumber'] && m.at >= begin && m.at <= end);
    return answer({
      PullSmsSendStatusSet: found.map((m) => ({
        UserReceiveTime: m.at,
        CountryCode: '86',
        SubscriberNumber: m.phone.slice(3),
        PhoneNumber: m.phone,
        SerialNo: m.serialNo,
        ReportStatus: 'SUCCESS',
        Description: 'DELIVRD',
        SessionContext: m.sessionContext ?? '',
      })),
    });
  }

  const server = await startFakeServer((req, body) => {
    const problem = signatureProblem(req, body);
    if (problem) return problem;
    if (req.headers['x-tc-version'] !== '2021-01-11') return error('InvalidParameter', 'version is not supported.');
    const request = JSON.parse(body || '{}') as Record<string, unknown>;
    const action = req.headers['x-tc-action'];
    if (action === 'SendSms') return faults.shift()?.(request) ?? sendSms(request);
    if (action === 'PullSmsSendStatusByPhoneNumber') return pullStatusByPhone(request);
    return error('InvalidAction', 'action not found.');
  });
  return {
    ...server,
    endpoint: `http://${server.host}`,
    sent,
    /** The next SendSms answers with this request error (Response.Error). */
    failWith(code: string) {
      faults.push(() => error(code, 'fault'));
    },
    /** The next SendSms gives this per-number code in SendStatusSet (the request itself succeeds). */
    refuseNumber(code: string) {
      faults.push(() =>
        answer({ SendStatusSet: [{ SerialNo: '', PhoneNumber: '', Fee: 0, SessionContext: '', Code: code, Message: 'refused', IsoCode: 'CN' }] }),
      );
    },
    /** The next SendSms is accepted and sent, but the connection is cut before the answer. */
    acceptThenDrop() {
      faults.push((request) => (sendSms(request), 'drop'));
    },
  };
}
