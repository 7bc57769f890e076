import { describe, expect, it } from 'vitest';
import { CONTACT_POINTS, recipientFor } from '../../channels/recipients.ts';

describe('recipientFor', () => {
  const identity = { name: '张三', phone: '13900000000', wechatOpenId: 'oAbCdEfGhIjKlMnOpQrStUvWx' };
  const all = new Set(Object.values(CONTACT_POINTS).map((p) => p.consent));

  it("takes the channel's contact point, with its consent", () => {
    expect(recipientFor('sms', 'patient', identity, all)).toEqual({ recipient: { kind: 'mobile', address: '13900000000' } });
    expect(recipientFor('wechat', 'patient', identity, all)).toEqual({ recipient: { kind: 'wechat-openid', address: identity.wechatOpenId } });
  });

  it('says what is missing: the contact point, or the consent for the channel', () => {
    expect(recipientFor('app', 'patient', identity, all)).toEqual({ missing: 'no-contact-point' });
    expect(recipientFor('sms', 'patient', identity, new Set(['wechat-contact']))).toEqual({ missing: 'no-consent' });
    expect(recipientFor('sms', 'patient', undefined, all)).toEqual({ missing: 'no-contact-point' });
    expect(recipientFor('fax', 'patient', identity, all)).toEqual({ missing: 'no-contact-point' });
  });

  it('addresses staff by role, whatever the patient has consented to', () => {
    expect(recipientFor('wechat', 'nurse', undefined, new Set())).toEqual({ recipient: { kind: 'staff-role', address: 'nurse' } });
  });
});
