// The Official Account's message endpoint (服务器配置), as WeChat documents it: the URL check,
// the signature of every push, secure mode's AES envelope, and the XML of what is pushed.
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

/** What the account's server configuration says: its Token and, in secure mode (安全模式), EncodingAESKey and the AppID. */
export interface WechatServerConfig {
  token: string;
  /** 43 characters; when set, pushes are encrypted and must be. */
  encodingAesKey?: string;
  appId?: string;
}

/** How old a signed push may be: WeChat retries within seconds; an older one is a replay. */
const MAX_AGE_S = 300;

/** sha1 of the sorted parts, joined: WeChat's signature (with the Encrypt value in secure mode). */
export function wechatSignature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether a push (or the URL check) is WeChat's: its signature over the token, timestamp and nonce (and the envelope), and fresh. */
export function verifyWechatSignature(
  config: WechatServerConfig,
  query: { signature: string; timestamp: string; nonce: string },
  now: Date,
  encrypted?: string,
): boolean {
  const age = Math.abs(now.getTime() / 1000 - Number(query.timestamp));
  if (!Number.isFinite(age) || age > MAX_AGE_S) return false;
  const parts = [config.token, query.timestamp, query.nonce, ...(encrypted !== undefined ? [encrypted] : [])];
  return same(wechatSignature(parts), query.signature);
}

/**
 * Opens secure mode's envelope: AES-256-CBC with the key `base64(EncodingAESKey + "=")` and its
 * first 16 bytes as IV, PKCS#7 padding to 32 bytes; inside, 16 random bytes, the message's
 * length (4 bytes, big-endian), the message, and the AppID, which must be the account's.
 */
export function decryptWechatEnvelope(config: WechatServerConfig, encrypted: string): string {
  if (!config.encodingAesKey) throw new Error('secure mode needs the EncodingAESKey');
  const key = Buffer.from(`${config.encodingAesKey}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const pad = padded[padded.length - 1]!;
  if (pad < 1 || pad > 32) throw new Error('bad padding');
  const plain = padded.subarray(0, padded.length - pad);
  const length = plain.readUInt32BE(16);
  const message = plain.subarray(20, 20 + length).toString('utf8');
  const appId = plain.subarray(20 + length).toString('utf8');
  if (config.appId && appId !== config.appId) throw new Error('the envelope is for another account');
  return message;
}

/** What a push says, as far as the platform reads it. */
export type WechatPush =
  | { kind: 'message'; openid: string; msgId: string; createTime: number; msgType: string; content: string | null }
  | { kind: 'template-finished'; msgId: string; delivered: boolean; status: string }
  | { kind: 'other'; msgType: string; event: string | null };

// Tag values stay strings: a MsgId is a 64-bit number, which a JS number would round.
const parser = new XMLParser({ parseTagValue: false, processEntities: true, ignoreDeclaration: true });

/** The fields of a push's (or envelope's) `<xml>`. */
export function parseWechatXml(xml: string): Record<string, string> {
  const root = (parser.parse(xml) as { xml?: Record<string, unknown> }).xml;
  if (!root || typeof root !== 'object') throw new Error('not a WeChat push: no <xml> root');
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(root)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

/** A push's fields read: a patient's message, the end of a template message's sending, or something else. */
export function readWechatPush(fields: Record<string, string>): WechatPush {
  const msgType = fields['MsgType'] ?? '';
  const event = fields['Event'] ?? null;
  if (msgType === 'event' && event === 'TEMPLATESENDJOBFINISH' && fields['MsgID']) {
    // success, failed:user block, failed: system failed
    const status = fields['Status'] ?? '';
    return { kind: 'template-finished', msgId: fields['MsgID'], delivered: status === 'success', status };
  }
  if (msgType !== 'event' && fields['FromUserName'] && fields['MsgId']) {
    return {
      kind: 'message',
      openid: fields['FromUserName'],
      msgId: fields['MsgId'],
      createTime: Number(fields['CreateTime'] ?? 0),
      msgType,
      content: msgType === 'text' ? (fields['Content'] ?? '') : null,
    };
  }
  return { kind: 'other', msgType, event };
}

const NON_TEXT: Record<string, string> = {
  image: '图片',
  voice: '语音',
  video: '视频',
  shortvideo: '小视频',
  location: '位置',
  link: '链接',
  file: '文件',
};

/** A patient's WeChat message as an inquiry's text: its words, or what she sent that only the account's console shows. */
export function wechatMessageText(push: Extract<WechatPush, { kind: 'message' }>): string {
  if (push.content !== null && push.content.trim() !== '') return push.content.trim();
  return `［患者通过微信发送了${NON_TEXT[push.msgType] ?? '一条消息'}，请在公众号后台查看］`;
}
