import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelsFromEnv, wechatServerFrom } from '../../channels/registry.ts';
import { loadContent } from '../../pathway/compiler/content.ts';
import { testLogger } from '../support/logger.ts';

const content = loadContent(path.resolve('pathways/content'));
const wechatEnv = { CAREPATH_CHANNEL_WECHAT_PROVIDER: 'wechat-template', CAREPATH_WECHAT_APP_ID: 'wx1234567890abcdef', CAREPATH_WECHAT_APP_SECRET: 'secret' };

describe("the Official Account's message endpoint configuration", () => {
  it('is off without a Token, plaintext with one, secure with the EncodingAESKey and the AppID', () => {
    expect(wechatServerFrom({})).toBeNull();
    expect(wechatServerFrom({ CAREPATH_WECHAT_SERVER_TOKEN: 'abc123' })).toEqual({ token: 'abc123' });
    const key = 'a'.repeat(43);
    expect(wechatServerFrom({ CAREPATH_WECHAT_SERVER_TOKEN: 'abc123', CAREPATH_WECHAT_ENCODING_AES_KEY: key, CAREPATH_WECHAT_APP_ID: 'wx1' })).toEqual({
      token: 'abc123',
      encodingAesKey: key,
      appId: 'wx1',
    });
  });

  it('names what is wrong with a Token or key WeChat would not accept', () => {
    expect(() => wechatServerFrom({ CAREPATH_WECHAT_SERVER_TOKEN: 'a-b' })).toThrow(/3 to 32 letters and digits/);
    expect(() => wechatServerFrom({ CAREPATH_WECHAT_SERVER_TOKEN: 'abc123', CAREPATH_WECHAT_ENCODING_AES_KEY: 'short' })).toThrow(/43 letters and digits/);
    expect(() => wechatServerFrom({ CAREPATH_WECHAT_SERVER_TOKEN: 'abc123', CAREPATH_WECHAT_ENCODING_AES_KEY: 'a'.repeat(43) })).toThrow(
      /needs CAREPATH_WECHAT_APP_ID/,
    );
  });

  it('makes WeChat template messages report delivery only when the endpoint receives their TEMPLATESENDJOBFINISH', () => {
    expect(channelsFromEnv(wechatEnv, testLogger, content.providerTemplates).get('wechat')?.reportsDelivery).toBeUndefined();
    const served = channelsFromEnv({ ...wechatEnv, CAREPATH_WECHAT_SERVER_TOKEN: 'abc123' }, testLogger, content.providerTemplates);
    expect(served.get('wechat')?.reportsDelivery).toBe(true);
  });
});
