/**
 * A local fake of the WeChat Official Account API following its documented contract:
 * POST /cgi-bin/stable_token (the same token while valid; force_refresh issues a new one and ends
 * the old), POST /cgi-bin/message/template/send checked for a valid token (40001 / 42001), a
 * follower's openid (40003 / 43004), an approved template and its fields (40037, 47003 for a
 * missing field or a `thing` over 20 characters), and `client_msg_id`: one message per openid and
 * id within 10 minutes.
 */
import { randomUUID } from 'node:crypto';
import { startFakeServer, type FakeAnswer } from './http-fake.ts';

export interface WechatSent {
  touser: string;
  templateId: string;
  data: Record<string, string>;
  miniprogram: unknown;
  clientMsgId: string | undefined;
  msgid: number;
}

const LIMITS: Record<string, number> = { thing: 20, character_string: 32, phrase: 5, number: 32, letter: 32, symbol: 5, name: 10, car_number: 8 };

export async function startWechatFake(options: {
  appId: string;
  appSecret: string;
  followers: string[];
  unfollowed?: string[];
  templates: Record<string, string[]>;
}) {
  const sent: WechatSent[] = [];
  const tokens = new Map<string, number>();
  const recent = new Map<string, { msgid: number; at: number }>();
  const faults: FakeAnswer[] = [];
  let current: string | null = null;
  let tokenRequests = 0;
  let msgid = 200_000_000;
  const wx = (errcode: number, errmsg: string, extra: Record<string, unknown> = {}): FakeAnswer => ({
    body: { errcode, errmsg: `${errmsg} rid: ${randomUUID().slice(0, 8)}`, ...extra },
  });

  function stableToken(r: Record<string, unknown>): FakeAnswer {
    tokenRequests++;
    if (r['grant_type'] !== 'client_credential') return wx(40002, 'invalid grant_type');
    if (r['appid'] !== options.appId) return wx(40013, 'invalid appid');
    if (r['secret'] !== options.appSecret) return wx(40125, 'invalid appsecret');
    if (r['force_refresh'] === true && current) tokens.delete(current);
    if (r['force_refresh'] === true || !current || !tokens.has(current)) {
      current = `fake_${randomUUID().replaceAll('-', '')}`;
      tokens.set(current, Date.now() + 7_200_000);
    }
    return { body: { access_token: current, expires_in: Math.floor((tokens.get(current)! - Date.now()) / 1000) } };
  }

  function templateSend(token: string | null, r: Record<string, unknown>): FakeAnswer {
    if (!token || !tokens.has(token)) return wx(40001, 'invalid credential, access_token is invalid or not latest');
    if (tokens.get(token)! < Date.now()) return wx(42001, 'access_token expired');
    const touser = String(r['touser'] ?? '');
    if ((options.unfollowed ?? []).includes(touser)) return wx(43004, 'require subscribe');
    if (!options.followers.includes(touser)) return wx(40003, 'invalid openid');
    const templateId = String(r['template_id'] ?? '');
    const fields = options.templates[templateId];
    if (!fields) return wx(40037, 'invalid template_id');
    const data = (r['data'] ?? {}) as Record<string, { value?: unknown }>;
    const values: Record<string, string> = {};
    for (const field of fields) {
      const value = data[field]?.value;
      if (typeof value !== 'string') return wx(47003, `argument invalid! data.${field}.value empty`);
      const limit = LIMITS[field.replace(/[0-9]+$/, '')];
      if (limit !== undefined && [...value].length > limit) return wx(47003, `argument invalid! data.${field}.value invalid`);
      values[field] = value;
    }
    const clientMsgId = typeof r['client_msg_id'] === 'string' ? r['client_msg_id'] : undefined;
    const repeat = clientMsgId ? recent.get(`${touser}/${clientMsgId}`) : undefined;
    if (repeat && Date.now() - repeat.at < 600_000) return wx(0, 'ok', { msgid: repeat.msgid });
    const id = ++msgid;
    sent.push({ touser, templateId, data: values, miniprogram: r['miniprogram'], clientMsgId, msgid: id });
    if (clientMsgId) recent.set(`${touser}/${clientMsgId}`, { msgid: id, at: Date.now() });
    return wx(0, 'ok', { msgid: id });
  }

  const server = await startFakeServer((req, body) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method !== 'POST') return wx(43002, 'require POST method');
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return wx(47001, 'data format error');
    }
    if (url.pathname === '/cgi-bin/stable_token') return stableToken(request);
    if (url.pathname === '/cgi-bin/message/template/send') {
      const fault = faults.shift();
      if (fault === 'drop') return (templateSend(url.searchParams.get('access_token'), request), 'drop');
      return fault ?? templateSend(url.searchParams.get('access_token'), request);
    }
    return wx(48001, 'api unauthorized');
  });
  return {
    ...server,
    apiBase: `http://${server.host}`,
    sent,
    tokenRequests: () => tokenRequests,
    /** Ends every token, as a force_refresh elsewhere (another system sharing the account) would. */
    revokeTokens() {
      tokens.clear();
      current = null;
    },
    /** The next template send answers this errcode. */
    failWith(errcode: number) {
      faults.push(wx(errcode, 'fault'));
    },
    /** The next template send is accepted and sent, but the connection is cut before the answer. */
    acceptThenDrop() {
      faults.push('drop');
    },
  };
}
