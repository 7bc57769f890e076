/** Provider templates checked with the content (pathway/compiler/provider-templates.ts): what `carepath validate` reports. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../pathway/compiler/content.ts';

const TEMPLATES: Record<string, string> = {
  'visit_notice.yaml': 'id: visit_notice\nchannels: [wechat, sms]\nbody: "{{name}}您好，您的{{title}}在{{appointment_at}}。"\n',
  'retrieval_notice.yaml':
    'id: retrieval_notice\nchannels: [wechat, sms]\nsensitive: true\nbody: "{{name}}您好，您的取卵手术在{{retrieval_at}}。"\nsms_body: "{{name}}您好，您有一条新的服务消息，请在微信中查看。"\n',
  'app_only.yaml': 'id: app_only\nchannels: [app]\nbody: "{{name}}您好"\n',
};

/** A content directory with the templates above and `channels` files; returns what loading it reports. */
function load(channels: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'carepath-content-'));
  mkdirSync(path.join(dir, 'templates'));
  mkdirSync(path.join(dir, 'channels'));
  for (const [file, text] of Object.entries(TEMPLATES)) writeFileSync(path.join(dir, 'templates', file), text);
  for (const [file, text] of Object.entries(channels)) writeFileSync(path.join(dir, 'channels', file), text);
  const lib = loadContent(dir);
  return { lib, problems: lib.diagnostics.map((d) => ({ file: path.basename(d.file), line: d.line, col: d.col, rule: d.rule, message: d.message })) };
}

const ALIYUN_OK = `provider: aliyun-sms
templates:
  visit_notice: { code: SMS_465100001, params: { name: name, title: title, time: appointment_at } }
  retrieval_notice: { code: SMS_465100002, params: { name: name } }
`;

describe('provider templates', () => {
  it('reads a complete map: each template that may go by the channel, with its code and parameters in order', () => {
    const { lib, problems } = load({ 'aliyun-sms.yaml': ALIYUN_OK });
    expect(problems).toEqual([]);
    expect(lib.providerTemplates.get('aliyun-sms')?.get('visit_notice')).toEqual({
      templateId: 'visit_notice',
      code: 'SMS_465100001',
      params: [
        { name: 'name', variable: 'name' },
        { name: 'title', variable: 'title' },
        { name: 'time', variable: 'appointment_at' },
      ],
    });
    const tencent = load({
      'tencent.yaml':
        'provider: tencent-sms\ntemplates:\n  visit_notice: { code: 2051234, params: [name, title, appointment_at] }\n  retrieval_notice: { code: "2051235", params: [name] }\n',
    });
    expect(tencent.problems).toEqual([]);
    expect(
      tencent.lib.providerTemplates
        .get('tencent-sms')
        ?.get('visit_notice')
        ?.params.map((p) => p.name),
    ).toEqual(['1', '2', '3']);
  });

  it('names a template that may go by SMS and has no approved template, at the file', () => {
    const { problems } = load({
      'aliyun-sms.yaml': 'provider: aliyun-sms\ntemplates:\n  visit_notice: { code: SMS_1, params: { name: name, title: title, time: appointment_at } }\n',
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'aliyun-sms.yaml',
        line: 3,
        col: 3,
        rule: 'provider-template-missing',
        message: expect.stringContaining("'retrieval_notice' may go by sms"),
      }),
    ]);
  });

  it('refuses an SMS template that leaves out a value the text shows, or fills one the text does not', () => {
    const { problems } = load({
      'aliyun-sms.yaml':
        'provider: aliyun-sms\ntemplates:\n  visit_notice: { code: SMS_1, params: { name: name, time: appointment_at } }\n  retrieval_notice: { code: SMS_2, params: { name: name, time: retrieval_at } }\n',
    });
    expect(problems).toEqual([
      expect.objectContaining({ line: 3, rule: 'provider-template-params', message: expect.stringContaining('shows {{title}}') }),
      // The neutral SMS text of a sensitive template shows only the name: the time is not one of its values.
      expect.objectContaining({ line: 4, rule: 'provider-template-params', message: expect.stringContaining('{{retrieval_at}} not in the sms text') }),
      expect.objectContaining({ line: 4, rule: 'sensitive-preview' }),
    ]);
  });

  it('keeps a sensitive template’s WeChat fields, which show on the lock screen, to the name', () => {
    const { problems } = load({
      'wechat.yaml':
        'provider: wechat-template\ntemplates:\n  visit_notice: { code: tmplVisitNotice01, params: { thing1: name, time2: appointment_at } }\n  retrieval_notice: { code: tmplRetrieval001, params: { thing1: name, time2: retrieval_at } }\n',
    });
    expect(problems).toEqual([
      expect.objectContaining({ line: 4, col: 55, rule: 'sensitive-preview', message: expect.stringContaining('not {{retrieval_at}}') }),
    ]);
  });

  it('locates a wrong code, an unknown template, an unknown provider and a parameter name the provider does not have', () => {
    const { problems } = load({
      'a.yaml':
        'provider: aliyun-sms\ntemplates:\n  visit_notice: { code: "465100001", params: { name: name } }\n  retrieval_notice: { code: SMS_2, params: { "名字": name } }\n  no_such: { code: SMS_3 }\n',
      'b.yaml': 'provider: sms-gateway\n',
    });
    expect(problems.map((p) => [p.file, p.line, p.rule])).toEqual([
      ['a.yaml', 3, 'provider-template-code'],
      ['a.yaml', 4, 'provider-template-params'],
      ['a.yaml', 5, 'provider-template-unknown'],
      ['b.yaml', 1, 'provider-unknown'],
    ]);
  });

  it('passes for the shipped content: every template that may go by SMS or WeChat has its approved template with each provider', () => {
    const lib = loadContent(path.resolve('pathways/content'));
    expect(lib.diagnostics).toEqual([]);
    const bySms = [...lib.templates.values()].filter((t) => t.channels?.includes('sms')).map((t) => t.id);
    for (const provider of ['aliyun-sms', 'tencent-sms'] as const) expect([...lib.providerTemplates.get(provider)!.keys()].sort()).toEqual(bySms.sort());
    expect(lib.providerTemplates.get('wechat-template')!.size).toBe([...lib.templates.values()].filter((t) => t.channels?.includes('wechat')).length);
  });
});
