import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forPatient, loadTemplateRenderer, NEUTRAL_PREVIEW } from '../../channels/templates.ts';

function contentDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'carepath-content-'));
  mkdirSync(path.join(dir, 'templates'));
  writeFileSync(path.join(dir, 'templates', 'visit_notice.yaml'), 'id: visit_notice\nbody: "{{ name }}您好，您预约的{{visit}}在{{ at }}，请空腹。"\n');
  writeFileSync(
    path.join(dir, 'templates', 'retrieval_notice.yaml'),
    'id: retrieval_notice\nsensitive: true\nbody: "{{name}}您好，您的取卵手术在{{at}}。"\nsms_body: "{{name}}您好，您有一条新的服务消息，请在微信中查看。"\n',
  );
  writeFileSync(path.join(dir, 'templates', 'loss_care.yaml'), 'id: loss_care\nsensitive: true\nbody: "{{name}}您好，我们为您的失去感到难过。"\n');
  return dir;
}

describe('message templates', () => {
  const render = loadTemplateRenderer(contentDir());

  it('fills every placeholder', () => {
    expect(render('visit_notice', { name: '王女士', visit: 'NT检查', at: '3月1日 09:00' })).toEqual({
      text: '王女士您好，您预约的NT检查在3月1日 09:00，请空腹。',
      fields: { name: '王女士', visit: 'NT检查', at: '3月1日 09:00' },
      preview: '王女士您好，您预约的NT检查在3月1日 09:00，请空腹。',
    });
  });

  it('writes dates and times as a patient reads them', () => {
    const rendered = render('visit_notice', { name: '王女士', visit: 'NT检查', at: '2027-03-14T09:15:00+08:00' });
    expect(rendered.text).toBe('王女士您好，您预约的NT检查在3月14日 09:15，请空腹。');
    expect(rendered.fields['at']).toBe('3月14日 09:15');
    expect(forPatient('2027-03-14T01:15:00Z')).toBe('3月14日 09:15');
    expect(forPatient('2027-10-20')).toBe('10月20日');
    expect(forPatient('not a date 2027-10-20')).toBe('not a date 2027-10-20');
    expect(forPatient(3)).toBe('3');
  });

  it('refuses to send a half-filled text, without retrying', () => {
    expect(() => render('visit_notice', { name: '王女士', visit: 'NT检查' })).toThrow(
      expect.objectContaining({ nonRetryable: true, type: 'MissingTemplateVariable' }),
    );
  });

  it('sends the neutral sms_body of a sensitive template by SMS, and its body on other channels', () => {
    const vars = { name: '王女士', at: '2027-03-14T09:15:00+08:00' };
    // The neutral text's fields carry only what it shows: a provider template gets no more.
    expect(render('retrieval_notice', vars, 'sms')).toEqual({
      text: '王女士您好，您有一条新的服务消息，请在微信中查看。',
      fields: { name: '王女士' },
      preview: '王女士您好，您有一条新的服务消息，请在微信中查看。',
    });
    expect(render('retrieval_notice', vars, 'wechat').text).toBe('王女士您好，您的取卵手术在3月14日 09:15。');
    expect(render('visit_notice', { name: '王女士', visit: 'NT检查', at: '3月1日' }, 'sms').text).toContain('NT检查');
  });

  it('never gives a sensitive text as the lock-screen preview, on any channel', () => {
    const vars = { name: '王女士', at: '2027-03-14T09:15:00+08:00' };
    // The app shows the procedure inside, once opened; its notification shows the neutral text.
    const app = render('retrieval_notice', vars, 'app');
    expect(app.text).toContain('取卵');
    expect(app.preview).toBe('王女士您好，您有一条新的服务消息，请在微信中查看。');
    // Without a neutral text of its own, the platform's: not even the name.
    expect(render('loss_care', { name: '王女士' }, 'app').preview).toBe(NEUTRAL_PREVIEW);
    expect(render('loss_care', { name: '王女士' }, 'app').preview).not.toContain('失去');
  });

  it('refuses to send a sensitive text without a neutral SMS version by SMS', () => {
    expect(() => render('loss_care', { name: '王女士' }, 'sms')).toThrow(expect.objectContaining({ nonRetryable: true, type: 'SensitiveOverSms' }));
    expect(render('loss_care', { name: '王女士' }, 'wechat').text).toContain('王女士');
  });

  it("renders the platform's inquiry reply from its shipped template when the content has none, as a sensitive text", () => {
    const reply = render('inquiry_reply', { name: '王女士', reply: '明早空腹来院抽血即可。' }, 'app');
    expect(reply.text).toContain('明早空腹来院抽血即可。');
    expect(reply.preview).toBe(NEUTRAL_PREVIEW);
    expect(() => render('inquiry_reply', { name: '王女士', reply: 'x' }, 'sms')).toThrow(expect.objectContaining({ type: 'SensitiveOverSms' }));
  });

  it("lets the content reword the platform's own template", () => {
    const dir = contentDir();
    writeFileSync(path.join(dir, 'templates', 'inquiry_reply.yaml'), 'id: inquiry_reply\nsensitive: true\nbody: "回复：{{reply}}"\n');
    expect(loadTemplateRenderer(dir)('inquiry_reply', { reply: '好的' }, 'app').text).toBe('回复：好的');
  });

  it('names an unknown template', () => {
    expect(() => render('nope', {})).toThrow(/no message template 'nope'/);
  });
});
