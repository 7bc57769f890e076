/**
 * A local fake of Aliyun SMS (Dysmsapi 2017-05-25) following its documented contract: RPC-style
 * requests signed with ACS3-HMAC-SHA256 (checked: a wrong secret answers SignatureDoesNotMatch,
 * HTTP 400), SendSms with PhoneNumbers, SignName, TemplateCode and TemplateParam (JSON) checked
 * against the approved templates (isv.* codes, HTTP 200, as Aliyun answers them), OutId kept and
 * returned by QuerySendDetails, which lists a number's messages of one day.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { startFakeServer, type FakeAnswer } from './http-fake.ts';

export interface AliyunSent {
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  outId: string | undefined;
  bizId: string;
  sendDate: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** RFC 3986 percent-encoding, as the ACS3 canonical query string uses it. */
const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export async function startAliyunSmsFake(options: { accessKeyId: string; accessKeySecret: string; signName: string; templates: Record<string, string[]> }) {
  const sent: AliyunSent[] = [];
  const faults: ((q: URLSearchParams) => FakeAnswer)[] = [];
  const ok = (body: Record<string, unknown>): FakeAnswer => ({ body: { RequestId: randomUUID(), ...body } });
  const error = (status: number, code: string, message: string): FakeAnswer => ({ status, body: { RequestId: randomUUID(), Code: code, Message: message } });
  const business = (code: string, message: string): FakeAnswer => ok({ Code: code, Message: message });

  function signatureProblem(req: IncomingMessage, url: URL, body: string): FakeAnswer | null {
    const auth = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization ?? ''));
    if (!auth) return error(400, 'MissingAuthorization', 'Authorization is mandatory for this action.');
    if (auth[1] !== options.accessKeyId) return error(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (req.headers['x-acs-content-sha256'] !== sha256(body)) return error(400, 'ContentSha256Mismatch', 'x-acs-content-sha256 is not the hash of the body.');
    const signed = auth[2]!.split(';');
    if (!['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'].every((h) => signed.includes(h))) {
      return error(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    }
    const query = [...url.searchParams.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${encode(k)}=${encode(v)}`)
      .join('&');
    const headers = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim()}\n`).join('');
    const canonical = [req.method, url.pathname, query, headers, auth[2], sha256(body)].join('\n');
    const expected = createHmac('sha256', options.accessKeySecret)
      .update(`ACS3-HMAC-SHA256\n${sha256(canonical)}`)
      .digest('hex');
    if (expected !== auth[3]) return error(400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.');
    return null;
  }

  function sendSms(q: URLSearchParams): FakeAnswer {
    const phone = q.get('PhoneNumbers') ?? '';
    if (!/^1[3-9][0-9]{9}$/.test(phone)) return business('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (q.get('SignName') !== options.signName) return business('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const code = q.get('TemplateCode') ?? '';
    const names = options.templates[code];
    if (!names) return business('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    let params: Record<string, string>;
    try {
      params = JSON.parse(q.get('TemplateParam') ?? '{}') as Record<string, string>;
    } catch {
      return business('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    if (!names.every((n) => typeof params[n] === 'string')) return business('isv.TEMPLATE_MISSING_PARAMETERS', '模板变量缺少对应参数值');
    if (Object.values(params).some((v) => [...v].length > 35)) return business('isv.PARAM_LENGTH_LIMIT', '参数超出长度限制');
    const bizId = `${Date.now()}${sent.length}^0`;
    const sendDate = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
    sent.push({ phone, signName: q.get('SignName')!, templateCode: code, params, outId: q.get('OutId') ?? undefined, bizId, sendDate });
    return ok({ Code: 'OK', Message: 'OK', BizId: bizId });
  }

  function querySendDetails(q: URLSearchParams): FakeAnswer {
    const phone = q.get('PhoneNumber');
    const date = q.get('SendDate');
    if (!phone || !date || !/^[0-9]{8}$/.test(date)) return business('isv.INVALID_PARAMETERS', '参数异常');
    const pageSize = Number(q.get('PageSize'));
    if (!(pageSize >= 1 && pageSize <= 50) || !(Number(q.get('CurrentPage')) >= 1)) return business('isv.INVALID_PARAMETERS', '参数异常');
    const found = sent.filter((m) => m.phone === phone && m.sendDate === date);
    return ok({
      Code: 'OK',
      Message: 'OK',
      TotalCount: String(found.length),
      SmsSendDetailDTOs: {
        SmsSendDetailDTO: found.map((m) => ({
          PhoneNum: m.phone,
          SendStatus: 3,
          ErrCode: 'DELIVERED',
          TemplateCode: m.templateCode,
          OutId: m.outId,
          Content: '（短信内容）',
          SendDate: m.sendDate,
        })),
      },
    });
  }

  const server = await startFakeServer((req, body) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const problem = signatureProblem(req, url, body);
    if (problem) return problem;
    if (req.headers['x-acs-version'] !== '2017-05-25') return error(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    const action = req.headers['x-acs-action'];
    if (action === 'SendSms') return (faults.shift() ?? sendSms)(url.searchParams);
    if (action === 'QuerySendDetails') return querySendDetails(url.searchParams);
    return error(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
  });
  return {
    ...server,
    endpoint: `http://${server.host}`,
    sent,
    /** The next SendSms answers an Aliyun error code: a business code with HTTP 200, as Aliyun gives them, or with `status`. */
    failWith(code: string, status?: number) {
      faults.push(() => (status ? error(status, code, 'fault') : business(code, 'fault')));
    },
    /** The next SendSms is accepted and sent, but the connection is cut before the answer. */
    acceptThenDrop() {
      faults.push((q) => (sendSms(q), 'drop'));
    },
  };
}
