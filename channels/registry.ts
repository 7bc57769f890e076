import { CarepathError } from '../errors/carepath-error.ts';
import type { Logger } from '../logging/logger.ts';
import type { ProviderTemplates, TemplateProvider } from '../pathway/compiler/provider-templates.ts';
import { createAliyunSmsChannel } from './aliyun-sms-channel.ts';
import type { Channel } from './channel.ts';
import { RECEIPT_PROVIDERS, type ReceiptProvider } from './receipts.ts';
import { createLogChannel } from './log-channel.ts';
import { createTencentSmsChannel } from './tencent-sms-channel.ts';
import { createWebhookChannel } from './webhook-channel.ts';
import { createWechatTemplateChannel } from './wechat-template-channel.ts';
import type { WechatServerConfig } from './wechat-server.ts';

/** The channels messages go out through automatically; `phone` is a person's call, made a task. */
export const AUTOMATIC_CHANNELS = ['wechat', 'sms', 'app'] as const;

/** Which adapters each channel may use (`CAREPATH_CHANNEL_<NAME>_PROVIDER`). */
const PROVIDERS: Record<(typeof AUTOMATIC_CHANNELS)[number], readonly string[]> = {
  wechat: ['wechat-template', 'webhook', 'log'],
  sms: ['aliyun-sms', 'tencent-sms', 'webhook', 'log'],
  app: ['webhook', 'log'],
};

type Env = Record<string, string | undefined>;

/**
 * One adapter per channel, chosen by `CAREPATH_CHANNEL_<NAME>_PROVIDER` (see docs/channels.md):
 * `aliyun-sms` or `tencent-sms` for SMS, `wechat-template` for WeChat, `webhook` for an HTTP
 * gateway at `CAREPATH_CHANNEL_<NAME>_URL` (bearer `CAREPATH_CHANNEL_<NAME>_TOKEN`), or `log`.
 * Without a provider, a channel with a URL uses the webhook and one without writes to the log,
 * which is what a development machine wants. A provider that sends approved templates needs its
 * file under `content/channels/`, and its credentials: a missing one stops the start, named.
 */
export function channelsFromEnv(env: Env, logger: Logger, templates: ProviderTemplates = new Map()): Map<string, Channel> {
  const channels = new Map<string, Channel>();
  for (const name of AUTOMATIC_CHANNELS) {
    const prefix = `CAREPATH_CHANNEL_${name.toUpperCase()}`;
    const url = env[`${prefix}_URL`];
    const provider = env[`${prefix}_PROVIDER`] || (url ? 'webhook' : 'log');
    if (!PROVIDERS[name].includes(provider)) {
      throw new CarepathError('invalid-config', `${prefix}_PROVIDER is '${provider}': the ${name} channel can use ${PROVIDERS[name].join(', ')}`);
    }
    const channel = adapter(name, provider, env, logger, templates);
    channels.set(name, reportsDelivery(provider, env) ? Object.assign(channel, { reportsDelivery: true }) : channel);
  }
  return channels;
}

/**
 * Whether the provider's receipts reach the platform: an SMS provider whose callback token is
 * set, or WeChat's template messages when the account's message endpoint is served (its
 * TEMPLATESENDJOBFINISH event is the receipt).
 */
function reportsDelivery(provider: string, env: Env): boolean {
  if (provider === 'wechat-template') return wechatServerFrom(env) !== null;
  return provider in RECEIPT_PROVIDERS && receiptTokensFrom(env)[provider as ReceiptProvider] !== undefined;
}

function adapter(name: string, provider: string, env: Env, logger: Logger, templates: ProviderTemplates): Channel {
  const prefix = `CAREPATH_CHANNEL_${name.toUpperCase()}`;
  const need = (variable: string) => {
    const value = env[variable];
    if (!value) throw new CarepathError('invalid-config', `${prefix}_PROVIDER is ${provider}, which needs ${variable}`);
    return value;
  };
  const approved = (p: TemplateProvider) => {
    const map = templates.get(p);
    if (!map) throw new CarepathError('invalid-config', `${prefix}_PROVIDER is ${p}, which needs the approved templates in content/channels/${p}.yaml`);
    return map;
  };
  switch (provider) {
    case 'webhook': {
      const token = env[`${prefix}_TOKEN`];
      return createWebhookChannel(name, { url: need(`${prefix}_URL`), ...(token ? { token } : {}) });
    }
    case 'aliyun-sms':
      return createAliyunSmsChannel({
        accessKeyId: need('CAREPATH_ALIYUN_SMS_ACCESS_KEY_ID'),
        accessKeySecret: need('CAREPATH_ALIYUN_SMS_ACCESS_KEY_SECRET'),
        signName: need('CAREPATH_ALIYUN_SMS_SIGN_NAME'),
        ...endpoint(env['CAREPATH_ALIYUN_SMS_ENDPOINT']),
        templates: approved('aliyun-sms'),
      });
    case 'tencent-sms':
      return createTencentSmsChannel({
        secretId: need('CAREPATH_TENCENT_SMS_SECRET_ID'),
        secretKey: need('CAREPATH_TENCENT_SMS_SECRET_KEY'),
        sdkAppId: need('CAREPATH_TENCENT_SMS_SDK_APP_ID'),
        signName: need('CAREPATH_TENCENT_SMS_SIGN_NAME'),
        ...(env['CAREPATH_TENCENT_SMS_REGION'] ? { region: env['CAREPATH_TENCENT_SMS_REGION'] } : {}),
        ...endpoint(env['CAREPATH_TENCENT_SMS_ENDPOINT']),
        templates: approved('tencent-sms'),
      });
    case 'wechat-template': {
      const apiBase = env['CAREPATH_WECHAT_API_BASE'];
      const miniProgramAppId = env['CAREPATH_WECHAT_MINIPROGRAM_APP_ID'];
      return createWechatTemplateChannel({
        appId: need('CAREPATH_WECHAT_APP_ID'),
        appSecret: need('CAREPATH_WECHAT_APP_SECRET'),
        ...(apiBase ? { apiBase } : {}),
        ...(miniProgramAppId ? { miniProgramAppId } : {}),
        templates: approved('wechat-template'),
      });
    }
    default:
      return createLogChannel(name, logger);
  }
}

/** An SDK endpoint setting: a host (HTTPS), or a full http:// or https:// URL's host and protocol. */
function endpoint(value: string | undefined): { endpoint?: string; protocol?: 'https' | 'http' } {
  if (!value) return {};
  const match = /^(https?):\/\/([^/]+)\/?$/.exec(value);
  return match ? { protocol: match[1] as 'https' | 'http', endpoint: match[2]! } : { endpoint: value };
}

/** The receipt tokens of the SMS providers that push receipts (`CAREPATH_ALIYUN_SMS_RECEIPT_TOKEN`, `CAREPATH_TENCENT_SMS_RECEIPT_TOKEN`). */
export function receiptTokensFrom(env: Env): Partial<Record<ReceiptProvider, string>> {
  const tokens: Partial<Record<ReceiptProvider, string>> = {};
  for (const provider of Object.keys(RECEIPT_PROVIDERS) as ReceiptProvider[]) {
    const variable = `CAREPATH_${provider.replace('-', '_').toUpperCase()}_RECEIPT_TOKEN`;
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (value.length < 32)
      throw new CarepathError('invalid-config', `${variable} must be at least 32 characters (it is all that authenticates the provider's receipts)`);
    tokens[provider] = value;
  }
  return tokens;
}

/**
 * The Official Account's message endpoint, when `CAREPATH_WECHAT_SERVER_TOKEN` is set (the Token
 * of 服务器配置: 3–32 letters and digits); `CAREPATH_WECHAT_ENCODING_AES_KEY` (43 characters)
 * turns on secure mode, whose envelopes must carry `CAREPATH_WECHAT_APP_ID`. null when unset.
 */
export function wechatServerFrom(env: Env): WechatServerConfig | null {
  const token = env['CAREPATH_WECHAT_SERVER_TOKEN'];
  if (!token) return null;
  if (!/^[A-Za-z0-9]{3,32}$/.test(token))
    throw new CarepathError('invalid-config', 'CAREPATH_WECHAT_SERVER_TOKEN must be 3 to 32 letters and digits, as WeChat requires');
  const encodingAesKey = env['CAREPATH_WECHAT_ENCODING_AES_KEY'];
  if (!encodingAesKey) return { token };
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey))
    throw new CarepathError('invalid-config', 'CAREPATH_WECHAT_ENCODING_AES_KEY must be the 43 letters and digits WeChat generated');
  const appId = env['CAREPATH_WECHAT_APP_ID'];
  if (!appId)
    throw new CarepathError(
      'invalid-config',
      'secure mode (CAREPATH_WECHAT_ENCODING_AES_KEY) needs CAREPATH_WECHAT_APP_ID, the account every envelope must be for',
    );
  return { token, encodingAesKey, appId };
}
