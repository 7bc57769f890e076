/**
 * WeChat's side of an Official Account's message endpoint, as its documentation describes it:
 * the URL check, signed pushes (signature = sha1 of the sorted token, timestamp and nonce), and
 * secure mode's envelope (AES-256-CBC, key base64(EncodingAESKey + "="), IV its first 16 bytes,
 * PKCS#7 to 32 bytes, random(16) ‖ length(4, big-endian) ‖ xml ‖ AppID; msg_signature also
 * covers the Encrypt value). Written from the documentation, not from the platform's code.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export interface WechatAccount {
  token: string;
  encodingAesKey?: string;
  appId?: string;
}

const sha1 = (parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');

/** The query string WeChat signs a request with, at `at`. */
function signedQuery(account: WechatAccount, at: Date, extra: Record<string, string> = {}): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE());
  return { signature: sha1([account.token, timestamp, nonce]), timestamp, nonce, ...extra };
}

function encrypt(account: WechatAccount, xml: string): string {
  const key = Buffer.from(`${account.encodingAesKey}=`, 'base64');
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(account.appId ?? '', 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

/** The URL check WeChat makes when the server configuration is saved. */
export function urlCheck(account: WechatAccount, echostr: string, at = new Date()): string {
  return new URLSearchParams(signedQuery(account, at, { echostr })).toString();
}

/** A push of `xml` as WeChat sends it to the account's endpoint (encrypted when the account is in secure mode). */
export function push(account: WechatAccount, xml: string, openid: string, at = new Date()): { query: string; body: string } {
  const query = signedQuery(account, at, { openid });
  if (!account.encodingAesKey) return { query: new URLSearchParams(query).toString(), body: xml };
  const encrypted = encrypt(account, xml);
  const msgSignature = sha1([account.token, query.timestamp!, query.nonce!, encrypted]);
  return {
    query: new URLSearchParams({ ...query, encrypt_type: 'aes', msg_signature: msgSignature }).toString(),
    body: `<xml><ToUserName><![CDATA[gh_account]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
  };
}

/** A patient's text message (MsgId a 64-bit number, as WeChat's are). */
export function textMessage(openid: string, content: string, msgId: string, at = new Date()): string {
  return `<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(at.getTime() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
}

/** A patient's picture. */
export function imageMessage(openid: string, msgId: string, at = new Date()): string {
  return `<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(at.getTime() / 1000)}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.example/pic]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId><MsgId>${msgId}</MsgId></xml>`;
}

/** The end of a template message's sending: success, failed:user block, failed: system failed. */
export function templateFinished(openid: string, msgId: string, status: string, at = new Date()): string {
  return `<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(at.getTime() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>${msgId}</MsgID><Status><![CDATA[${status}]]></Status></xml>`;
}
