import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { parse } from 'yaml';
import type { RenderTemplate } from '../activities/deps.ts';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Loads the message templates under `<contentDir>/templates/*.yaml` (`id`, `body` with
 * `{{ variable }}` placeholders; the compiler has already checked them) and returns a renderer.
 * A template or variable that is missing fails the activity without retrying: a person must fix
 * the content, and the journey hands the message over rather than sending a half-filled text.
 */
export function loadTemplateRenderer(contentDir: string): RenderTemplate {
  const bodies = new Map<string, { body: string; sms?: string; sensitive: boolean }>();
  const dir = path.join(contentDir, 'templates');
  if (existsSync(dir)) {
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      const raw = parse(readFileSync(path.join(dir, file), 'utf8')) as { id?: unknown; body?: unknown; sms_body?: unknown; sensitive?: unknown } | null;
      if (typeof raw?.id === 'string' && typeof raw.body === 'string') {
        bodies.set(raw.id, { body: raw.body, sensitive: raw.sensitive === true, ...(typeof raw.sms_body === 'string' ? { sms: raw.sms_body } : {}) });
      }
    }
  }
  return (templateId, variables, channel) => {
    const template = bodies.get(templateId);
    if (template === undefined) throw ApplicationFailure.nonRetryable(`no message template '${templateId}' in ${dir}`, 'UnknownTemplate');
    let body = template.body;
    if (channel === 'sms' && template.sms !== undefined) body = template.sms;
    else if (channel === 'sms' && template.sensitive) {
      // The compiler refuses this; a content file edited under a running platform must not leak.
      throw ApplicationFailure.nonRetryable(`template '${templateId}' is sensitive and has no neutral sms_body`, 'SensitiveOverSms');
    }
    return body.replace(PLACEHOLDER, (_, name: string) => {
      const value = variables[name];
      if (value === undefined || value === null) {
        throw ApplicationFailure.nonRetryable(`template '${templateId}' needs variable '${name}'`, 'MissingTemplateVariable');
      }
      return forPatient(value);
    });
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
