import type { ProviderTemplate } from '../pathway/compiler/provider-templates.ts';
import { DeliveryError, PermanentDeliveryError, providerCode, type Channel, type OutboundMessage } from './channel.ts';
import { providerTemplateParams } from './provider-support.ts';

/** What the WeChat Official Account adapter needs: the service account's AppID and AppSecret, and the template map. */
export interface WechatTemplateOptions {
  appId: string;
  appSecret: string;
  /** `https://api.weixin.qq.com` unless the deployment uses a relay (or a local fake in tests). */
  apiBase?: string;
  /** The hospital's mini-program, opened by a message that names a `page` (where the full text is read). */
  miniProgramAppId?: string;
  templates: ReadonlyMap<string, ProviderTemplate>;
  timeoutMs?: number;
}

/** Answers that mean the access token is no good any more: fetch another and try once more. */
const TOKEN_INVALID = new Set([40001, 40014, 42001]);
/** Answers a later attempt may get past: WeChat busy, frequency and daily quotas, the AppSecret or IP whitelist an operator is fixing. */
const RETRYABLE = new Set([-1, 45009, 45011, 45047, 40125, 40164, 41004, 40013]);

/** WeChat's documented limits of a template field's value, by the field's type (the name without its number). */
const FIELD_LIMITS: Record<string, number> = { thing: 20, character_string: 32, phrase: 5, number: 32, letter: 32, symbol: 5, name: 10, car_number: 8 };

/**
 * A field's value within WeChat's limit for its type (`thing3`: 20 characters): longer values are
 * refused with 47003, so they are cut, with an ellipsis, and the full text is read on the page.
 */
export function fitField(name: string, value: string): string {
  const limit = FIELD_LIMITS[name.replace(/[0-9]+$/, '')];
  const chars = [...value];
  return limit !== undefined && chars.length > limit ? `${chars.slice(0, limit - 1).join('')}…` : value;
}

/**
 * WeChat Official Account template messages (公众号模板消息): POST /cgi-bin/message/template/send
 * with the approved template's id and fields, to the patient's openid under this account, the
 * outbox key as `client_msg_id` (WeChat sends one message per openid and key within 10 minutes).
 * The access token comes from /cgi-bin/stable_token, which — unlike /cgi-bin/token — gives every
 * API process the same token while it is valid, so several processes never invalidate each other's.
 */
export function createWechatTemplateChannel(options: WechatTemplateOptions): Channel {
  const base = (options.apiBase ?? 'https://api.weixin.qq.com').replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  let cached: { token: string; until: number } | null = null;
  let fetching: Promise<string> | null = null;

  async function call(path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new DeliveryError(`wechat answered ${response.status}`, { status: response.status });
    const parsed: unknown = await response.json().catch(() => null);
    if (!parsed || typeof parsed !== 'object') throw new DeliveryError('wechat answered without JSON', { status: response.status });
    return parsed as Record<string, unknown>;
  }

  function failure(answer: Record<string, unknown>): DeliveryError {
    const errcode = typeof answer['errcode'] === 'number' ? answer['errcode'] : NaN;
    const code = providerCode(errcode);
    const info = code ? { providerCode: code } : {};
    // 43004: she no longer follows the account; 40003: not an openid of this account; 47003: a field WeChat refuses.
    return RETRYABLE.has(errcode) || TOKEN_INVALID.has(errcode) || Number.isNaN(errcode)
      ? new DeliveryError(`wechat answered errcode ${code ?? '?'}`, info)
      : new PermanentDeliveryError(`wechat answered errcode ${code ?? '?'}`, info);
  }

  async function token(forceRefresh = false): Promise<string> {
    if (!forceRefresh && cached && cached.until > Date.now()) return cached.token;
    fetching ??= (async () => {
      try {
        const answer = await call('/cgi-bin/stable_token', {
          grant_type: 'client_credential',
          appid: options.appId,
          secret: options.appSecret,
          ...(forceRefresh ? { force_refresh: true } : {}),
        });
        const value = answer['access_token'];
        const expiresIn = typeof answer['expires_in'] === 'number' ? answer['expires_in'] : 0;
        if (typeof value !== 'string' || value === '') throw failure(answer);
        // Kept a minute less than WeChat says: a token is never used in its last moments.
        cached = { token: value, until: Date.now() + Math.max(0, expiresIn - 60) * 1000 };
        return value;
      } finally {
        fetching = null;
      }
    })();
    return fetching;
  }

  async function send(message: OutboundMessage, accessToken: string): Promise<Record<string, unknown>> {
    const { template, values } = providerTemplateParams('wechat-template', options.templates, message);
    const openid = message.recipient?.kind === 'wechat-openid' ? message.recipient.address : null;
    if (!openid) throw new PermanentDeliveryError('wechat: no openid to send to', { providerCode: 'no-openid' });
    return call(`/cgi-bin/message/template/send?access_token=${encodeURIComponent(accessToken)}`, {
      touser: openid,
      template_id: template.code,
      ...(template.page && options.miniProgramAppId ? { miniprogram: { appid: options.miniProgramAppId, pagepath: template.page } } : {}),
      client_msg_id: message.idempotencyKey,
      data: Object.fromEntries(values.map(([name, value]) => [name, { value: fitField(name, value) }])),
    });
  }

  return {
    name: 'wechat',
    async deliver(message: OutboundMessage) {
      const used = await token();
      let answer = await send(message, used);
      if (TOKEN_INVALID.has(answer['errcode'] as number)) {
        // Another token may have replaced it (stable_token gives the current one); if WeChat still gives the same, force a new one.
        cached = null;
        const next = await token();
        answer = await send(message, next === used ? await token(true) : next);
      }
      if (answer['errcode'] === 0) return { providerMessageId: `wechat:${String(answer['msgid'])}` };
      throw failure(answer);
    },
  };
}
