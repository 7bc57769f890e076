/**
 * Provider templates: Chinese SMS carries only templates approved in the hospital's SMS account,
 * and a WeChat template message only the fields of an approved template. Each provider has one
 * file under `content/channels/`, mapping every message template that may go by its channel to
 * the approved template's code and parameters. Checked here, with the rest of the content, so
 * `carepath validate` finds a missing or wrong mapping before a patient does.
 */
import { NEUTRAL_SMS_PLACEHOLDERS, type TemplateInfo } from './content.ts';
import type { Path } from './source.ts';

/** The providers with approved templates, the channel each carries, and the form of its template codes and parameter names. */
export const TEMPLATE_PROVIDERS = {
  'aliyun-sms': { channel: 'sms', code: /^SMS_[0-9]{1,20}$/, codeExample: 'SMS_154950909', param: /^[A-Za-z][A-Za-z0-9_]{0,31}$/, ordered: false },
  'tencent-sms': { channel: 'sms', code: /^[0-9]{1,20}$/, codeExample: '1234567', param: null, ordered: true },
  'wechat-template': {
    channel: 'wechat',
    code: /^[A-Za-z0-9_-]{8,128}$/,
    codeExample: 'ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY',
    param: /^(?:first|remark|keyword[0-9]{1,2}|[a-z_]{2,24}[0-9]{1,3})$/,
    ordered: false,
  },
} as const;

export type TemplateProvider = keyof typeof TEMPLATE_PROVIDERS;

/** One approved provider template: its code and, in order, which variable fills each of its parameters. */
export interface ProviderTemplate {
  templateId: string;
  code: string;
  params: { name: string; variable: string }[];
  /** WeChat only: the mini-program page the message opens (the full text is read there). */
  page?: string;
}

export type ProviderTemplates = Map<TemplateProvider, Map<string, ProviderTemplate>>;

type Raw = Record<string, unknown>;
type Problem = (path: Path, message: string, rule?: string) => void;

/** The placeholders of the text a template sends on `channel` (a sensitive template's neutral SMS text on SMS). */
export function placeholdersOn(template: TemplateInfo, channel: string, placeholders: (text: string) => string[]): string[] {
  return channel === 'sms' && template.smsBody !== undefined ? placeholders(template.smsBody) : template.variables;
}

/** Reads one `content/channels/*.yaml` file into `into`, reporting what is wrong through `problem`. */
export function readProviderFile(
  raw: Raw,
  templates: ReadonlyMap<string, TemplateInfo>,
  into: ProviderTemplates,
  problem: Problem,
  placeholders: (text: string) => string[],
): void {
  const provider = raw['provider'];
  if (typeof provider !== 'string' || !(provider in TEMPLATE_PROVIDERS)) {
    return problem(
      typeof provider === 'string' ? ['provider'] : [],
      `'provider' must be one of ${Object.keys(TEMPLATE_PROVIDERS).join(', ')}`,
      'provider-unknown',
    );
  }
  const name = provider as TemplateProvider;
  const spec = TEMPLATE_PROVIDERS[name];
  if (into.has(name)) return problem(['provider'], `the templates of ${name} are already given in another file`, 'duplicate-id');
  const entries = raw['templates'];
  if (!entries || typeof entries !== 'object' || Array.isArray(entries))
    return problem(['templates'], "'templates' must map message template ids to provider templates");
  const mapped = new Map<string, ProviderTemplate>();
  for (const [templateId, value] of Object.entries(entries as Raw)) {
    const at: Path = ['templates', templateId];
    const template = templates.get(templateId);
    if (!template) {
      problem(at, `no message template '${templateId}' under content/templates`, 'provider-template-unknown');
      continue;
    }
    const entry = readEntry(name, templateId, value as Raw | null, at, problem);
    if (!entry) continue;
    const shown = placeholdersOn(template, spec.channel, placeholders);
    const used = entry.params.map((p) => p.variable);
    const unknown = used.filter((v) => !shown.includes(v));
    if (unknown.length) {
      problem(
        [...at, 'params'],
        `${unknownList(unknown)} not in the ${spec.channel} text of '${templateId}' (it shows ${shown.join(', ') || 'no placeholder'})`,
        'provider-template-params',
      );
    }
    const missing = shown.filter((v) => !used.includes(v));
    // An SMS is the approved template's text: every value the message shows must be one of its parameters.
    if (spec.channel === 'sms' && missing.length) {
      problem(
        [...at, 'params'],
        `the SMS text of '${templateId}' shows ${unknownList(missing)}: the approved template needs a parameter for each`,
        'provider-template-params',
      );
    }
    // A template message shows its fields in the notification, on the lock screen: a sensitive one shows no more than the name.
    const revealing = used.filter((v) => !NEUTRAL_SMS_PLACEHOLDERS.includes(v));
    if (template.sensitive && revealing.length) {
      problem(
        [...at, 'params'],
        `'${templateId}' is sensitive: its ${name} fields show on the lock screen and may carry only {{name}}, not ${revealing.map((v) => `{{${v}}}`).join(', ')}`,
        'sensitive-preview',
      );
    }
    mapped.set(templateId, entry);
  }
  for (const template of templates.values()) {
    if (template.channels?.includes(spec.channel) && !mapped.has(template.id) && !(entries as Raw)[template.id]) {
      problem(
        ['templates'],
        `message template '${template.id}' may go by ${spec.channel} (${template.file}) but has no ${name} template here`,
        'provider-template-missing',
      );
    }
  }
  into.set(name, mapped);
}

function readEntry(provider: TemplateProvider, templateId: string, value: Raw | null, at: Path, problem: Problem): ProviderTemplate | null {
  const spec = TEMPLATE_PROVIDERS[provider];
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problem(at, `'${templateId}' needs 'code' and 'params'`);
    return null;
  }
  const code = typeof value['code'] === 'number' ? String(value['code']) : value['code'];
  if (typeof code !== 'string' || !spec.code.test(code)) {
    problem([...at, 'code'], `'code' must be the ${provider} template code, like ${spec.codeExample}`, 'provider-template-code');
    return null;
  }
  const rawParams = value['params'] ?? (spec.ordered ? [] : {});
  let params: { name: string; variable: string }[];
  if (spec.ordered) {
    if (!Array.isArray(rawParams) || !rawParams.every((v) => typeof v === 'string')) {
      problem(
        [...at, 'params'],
        `${provider} parameters are a list of variables, in the order of the approved template's {1}, {2}, …`,
        'provider-template-params',
      );
      return null;
    }
    params = rawParams.map((variable, i) => ({ name: String(i + 1), variable }));
  } else {
    if (!rawParams || typeof rawParams !== 'object' || Array.isArray(rawParams) || !Object.values(rawParams).every((v) => typeof v === 'string')) {
      problem(
        [...at, 'params'],
        `${provider} parameters map each parameter of the approved template to a variable (e.g. { time: appointment_at })`,
        'provider-template-params',
      );
      return null;
    }
    params = Object.entries(rawParams as Record<string, string>).map(([name, variable]) => ({ name, variable }));
    const badName = params.find((p) => !spec.param!.test(p.name));
    if (badName) {
      problem([...at, 'params', badName.name], `'${badName.name}' is not a ${provider} parameter name`, 'provider-template-params');
      return null;
    }
  }
  const entry: ProviderTemplate = { templateId, code, params };
  const page = value['page'];
  if (page !== undefined) {
    if (provider !== 'wechat-template' || typeof page !== 'string' || !/^[A-Za-z0-9_/.?=&-]{1,200}$/.test(page)) {
      problem([...at, 'page'], "'page' is a WeChat template's mini-program page path (e.g. pages/message/index)");
      return null;
    }
    entry.page = page;
  }
  return entry;
}

function unknownList(variables: string[]): string {
  return variables.map((v) => `{{${v}}}`).join(', ');
}
