import { describe, expect, it } from 'vitest';
import { decryptWechatEnvelope, parseWechatXml, readWechatPush, verifyWechatSignature, wechatMessageText } from '../../channels/wechat-server.ts';
import { imageMessage, push, templateFinished, textMessage, urlCheck } from '../support/fakes/wechat-push.ts';

const plain = { token: 'carepathToken2026' };
const secure = { token: 'carepathToken2026', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', appId: 'wx1234567890abcdef' };
const query = (q: string) => Object.fromEntries(new URLSearchParams(q)) as { signature: string; timestamp: string; nonce: string; msg_signature?: string };

describe("the Official Account's message endpoint", () => {
  it("accepts WeChat's signature and refuses another token's, or a stale one", () => {
    const now = new Date();
    expect(verifyWechatSignature(plain, query(urlCheck(plain, 'echo', now)), now)).toBe(true);
    expect(verifyWechatSignature({ token: 'otherToken' }, query(urlCheck(plain, 'echo', now)), now)).toBe(false);
    expect(verifyWechatSignature(plain, query(urlCheck(plain, 'echo', new Date(now.getTime() - 10 * 60_000))), now)).toBe(false);
  });

  it("reads a patient's text message, keeping the 64-bit MsgId exact", () => {
    const push = readWechatPush(parseWechatXml(textMessage('o-patient', '明天要空腹吗？<&>', '23456789012345678901')));
    expect(push).toMatchObject({ kind: 'message', openid: 'o-patient', msgId: '23456789012345678901', msgType: 'text', content: '明天要空腹吗？<&>' });
  });

  it('names what a non-text message was, for the butler to look up', () => {
    const push = readWechatPush(parseWechatXml(imageMessage('o-patient', '1')));
    expect(push.kind === 'message' && wechatMessageText(push)).toBe('［患者通过微信发送了图片，请在公众号后台查看］');
  });

  it("reads TEMPLATESENDJOBFINISH as a template message's receipt", () => {
    expect(readWechatPush(parseWechatXml(templateFinished('o', '200163836', 'success')))).toEqual({
      kind: 'template-finished',
      msgId: '200163836',
      delivered: true,
      status: 'success',
    });
    expect(readWechatPush(parseWechatXml(templateFinished('o', '200163837', 'failed:user block')))).toMatchObject({ delivered: false });
  });

  it("opens secure mode's envelope, signed over its Encrypt value, and refuses one for another account", () => {
    const now = new Date();
    const sent = push(secure, textMessage('o-secure', '你好', '42'), 'o-secure', now);
    const encrypted = parseWechatXml(sent.body)['Encrypt']!;
    const q = query(sent.query);
    expect(verifyWechatSignature(secure, { ...q, signature: q.msg_signature! }, now, encrypted)).toBe(true);
    expect(verifyWechatSignature(secure, { ...q, signature: q.msg_signature! }, now, `${encrypted}x`)).toBe(false);
    expect(readWechatPush(parseWechatXml(decryptWechatEnvelope(secure, encrypted)))).toMatchObject({ openid: 'o-secure', content: '你好', msgId: '42' });
    expect(() => decryptWechatEnvelope({ ...secure, appId: 'wx-other' }, encrypted)).toThrow(/another account/);
  });
});
