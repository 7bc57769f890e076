import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { loadContent, PLACEHOLDER } from '../pathway/compiler/content.ts';
import { REPLY_TEMPLATE } from '../enrollment/inquiries/inquiry-reply.ts';

/**
 * Renders a message template (content kept as data under pathways/) into the text to send on
 * `channel`: a sensitive template's SMS is its neutral `sms_body`, never its body.
 */
export type RenderTemplate = (templateId: string, variables: Record<string, unknown>, channel?: string) => RenderedMessage;

/** A template rendered for one channel: its text, and the values of the placeholders that text uses, as the patient reads them. */
export interface RenderedMessage {
  text: string;
  fields: Record<string, string>;
  /**
   * What a notification may show on the lock screen and in a preview (an app's push, a
   * gateway's banner): the text itself, or for a sensitive template a neutral text that shows no
   * more than the name. Absent: the text may show.
   */
  preview?: string;
}

/** The templates the platform itself sends (the reply to an inquiry), shipped under pathways/content/templates. */
const PLATFORM_TEMPLATES = [REPLY_TEMPLATE];
const SHIPPED_CONTENT_DIR = fileURLToPath(new URL('../pathways/content', import.meta.url));

/** The lock-screen text of a sensitive template without a neutral `sms_body` of its own. */
export const NEUTRAL_PREVIEW = '您有一条新的健康服务消息，请打开查看。';

/**
 * A renderer of the message templates under `<contentDir>/templates/*.yaml` (and the platform's
 * own, when that content has none of the id), read by the same loader the compiler checks them
 * with. A template or variable that is missing fails the activity without retrying: a person
 * must fix the content, and the journey hands the message over rather than sending a half-filled
 * text.
 */
export function loadTemplateRenderer(contentDir: string): RenderTemplate {
  const templates = new Map(loadContent(contentDir).templates);
  // The platform's own templates come with it: content of a hospital's own may reword them, not lose them.
  for (const id of PLATFORM_TEMPLATES) {
    const shipped = loadContent(SHIPPED_CONTENT_DIR).templates.get(id);
    if (!templates.has(id) && shipped) templates.set(id, shipped);
  }
  const dir = path.join(contentDir, 'templates');
  return (templateId, variables, channel) => {
    const template = templates.get(templateId);
    if (template === undefined) throw ApplicationFailure.nonRetryable(`no message template '${templateId}' in ${dir}`, 'UnknownTemplate');
    let body = template.body;
    if (channel === 'sms' && template.smsBody !== undefined) body = template.smsBody;
    else if (channel === 'sms' && template.sensitive) {
      // The compiler refuses this; a content file edited under a running platform must not leak.
      throw ApplicationFailure.nonRetryable(`template '${templateId}' is sensitive and has no neutral sms_body`, 'SensitiveOverSms');
    }
    const fields: Record<string, string> = {};
    const fill = (text: string, into: Record<string, string>) =>
      text.replace(PLACEHOLDER, (_, name: string) => {
        const value = variables[name];
        if (value === undefined || value === null) {
          throw ApplicationFailure.nonRetryable(`template '${templateId}' needs variable '${name}'`, 'MissingTemplateVariable');
        }
        return (into[name] = forPatient(value));
      });
    const text = fill(body, fields);
    // A sensitive text never shows on a lock screen: its neutral SMS text (the name at most) does.
    const preview = !template.sensitive ? text : template.smsBody !== undefined ? fill(template.smsBody, {}) : NEUTRAL_PREVIEW;
    return { text, fields, preview: preview.trim() };
  };
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A value as a patient reads it in a Chinese text: `2027-03-14T09:15:00+08:00` → `3月14日 09:15`
 * (clock time as written; a UTC instant is shown in China time), `2027-10-20` → `10月20日`.
 */
export function forPatient(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  const date = DATE.exec(value);
  if (date) return `${Number(date[2])}月${Number(date[3])}日`;
  let match = DATE_TIME.exec(value);
  if (match && match[6] === 'Z') {
    const shifted = new Date(Date.parse(value) + 8 * 3_600_000).toISOString();
    match = DATE_TIME.exec(`${shifted.slice(0, 16)}+08:00`);
  }
  if (!match) return value;
  return `${Number(match[2])}月${Number(match[3])}日 ${match[4]}:${match[5]}`;
}
