/**
 * Content kept as data next to the pathways: message templates in `content/templates/*.yaml`,
 * questionnaires in `content/questionnaires/*.yaml`, one per file, and the providers' approved
 * templates in `content/channels/<provider>.yaml`. Pathways refer to them by id;
 * the compiler checks the references and embeds questionnaire scoring (never the texts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CompiledQuestionnaire } from '../model/compiled.ts';
import type { Diagnostic } from './diagnostics.ts';
import { readProviderFile, type ProviderTemplates } from './provider-templates.ts';
import { Locator, parseSource, type Path } from './source.ts';

export interface TemplateInfo {
  id: string;
  file: string;
  /** The text with `{{ variable }}` placeholders. */
  body: string;
  channels?: string[];
  variables: string[];
  /**
   * Sensitive personal information (IVF procedures, mental health, loss): the text never goes by
   * SMS, where it shows on a lock screen; an SMS carries `smsBody`, a neutral notice, instead.
   * Undefined when the file does not say (`false` says a reviewer found the text neutral).
   */
  sensitive?: boolean;
  smsBody?: string;
}

/** The only placeholder a neutral SMS text of a sensitive template may use. */
export const NEUTRAL_SMS_PLACEHOLDERS = ['name'];

export interface QuestionnaireInfo {
  id: string;
  file: string;
  compiled: CompiledQuestionnaire;
}

export interface ContentLibrary {
  dir: string | null;
  templates: Map<string, TemplateInfo>;
  questionnaires: Map<string, QuestionnaireInfo>;
  /** Per provider (`content/channels/<provider>.yaml`), the approved template each message template goes out as. */
  providerTemplates: ProviderTemplates;
  diagnostics: Diagnostic[];
}

const cache = new Map<string, ContentLibrary>();

/** The nearest `content/` directory at or above `fromDir`, or null. */
export function findContentDir(fromDir: string): string | null {
  let dir = resolve(fromDir);
  for (;;) {
    const candidate = join(dir, 'content');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Loads (and caches per directory) the templates and questionnaires of a content directory. */
export function loadContent(dir: string | null): ContentLibrary {
  if (dir === null) return { dir, templates: new Map(), questionnaires: new Map(), providerTemplates: new Map(), diagnostics: [] };
  const hit = cache.get(dir);
  if (hit) return hit;
  const lib: ContentLibrary = { dir, templates: new Map(), questionnaires: new Map(), providerTemplates: new Map(), diagnostics: [] };
  for (const file of yamlFiles(join(dir, 'templates'))) loadTemplate(lib, file);
  for (const file of yamlFiles(join(dir, 'questionnaires'))) loadQuestionnaire(lib, file);
  for (const file of yamlFiles(join(dir, 'channels'))) loadProviderTemplates(lib, file);
  cache.set(dir, lib);
  return lib;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

type Raw = Record<string, unknown>;

function open(lib: ContentLibrary, file: string): { raw: Raw; problem: (path: Path, message: string, rule?: string) => void } | null {
  const { source, diagnostics } = parseSource(file, readFileSync(file, 'utf8'));
  lib.diagnostics.push(...diagnostics);
  if (!source) return null;
  const locator = new Locator(source);
  const problem = (path: Path, message: string, rule = 'content-invalid') => {
    const { line, col } = locator.position(path);
    lib.diagnostics.push({ file, line, col, rule, message });
  };
  if (!source.value || typeof source.value !== 'object' || Array.isArray(source.value)) {
    problem([], 'a content file must be a mapping');
    return null;
  }
  return { raw: source.value as Raw, problem };
}

function contentId(raw: Raw, problem: (path: Path, message: string) => void): string | null {
  const id = raw['id'];
  if (typeof id !== 'string' || !/^[a-z][a-z0-9_.-]*$/.test(id)) {
    problem(typeof id === 'string' ? ['id'] : [], "missing or invalid 'id' (e.g. visit_notice)");
    return null;
  }
  return id;
}

function loadTemplate(lib: ContentLibrary, file: string): void {
  const opened = open(lib, file);
  if (!opened) return;
  const { raw, problem } = opened;
  const id = contentId(raw, problem);
  if (typeof raw['body'] !== 'string' || raw['body'].trim() === '') problem(['body'], "a template needs a non-empty 'body'");
  const channels = raw['channels'];
  if (channels !== undefined && !(Array.isArray(channels) && channels.every((c) => typeof c === 'string'))) {
    problem(['channels'], "'channels' must be a list of channel names");
  }
  const sensitive = raw['sensitive'];
  if (sensitive !== undefined && typeof sensitive !== 'boolean') problem(['sensitive'], "'sensitive' must be true or false");
  const smsBody = raw['sms_body'];
  if (smsBody !== undefined && (typeof smsBody !== 'string' || smsBody.trim() === '')) problem(['sms_body'], "'sms_body' must be a non-empty text");
  if (typeof smsBody === 'string') {
    const extra = placeholders(smsBody).filter((v) => !NEUTRAL_SMS_PLACEHOLDERS.includes(v));
    if (extra.length)
      problem(['sms_body'], `'sms_body' is the neutral text of a sensitive message: it may use only {{name}}, not ${extra.map((v) => `{{${v}}}`).join(', ')}`);
  }
  if (sensitive === true && smsBody === undefined && Array.isArray(channels) && channels.includes('sms')) {
    problem(['sms_body'], "a sensitive template that lists sms needs 'sms_body', a neutral text for the lock screen", 'sensitive-over-sms');
  }
  if (!id) return;
  if (lib.templates.has(id)) return problem(['id'], `template '${id}' is already defined in ${lib.templates.get(id)!.file}`, 'duplicate-id');
  const body = typeof raw['body'] === 'string' ? raw['body'] : '';
  const variables = placeholders(body);
  const info: TemplateInfo = { id, file, body, variables };
  if (typeof sensitive === 'boolean') info.sensitive = sensitive;
  if (typeof smsBody === 'string') info.smsBody = smsBody;
  if (Array.isArray(channels)) info.channels = channels.map(String);
  lib.templates.set(id, info);
}

function loadProviderTemplates(lib: ContentLibrary, file: string): void {
  const opened = open(lib, file);
  if (opened) readProviderFile(opened.raw, lib.templates, lib.providerTemplates, opened.problem, placeholders);
}

/** A `{{ variable }}` placeholder of a template text (global: use with replace or matchAll). */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

function loadQuestionnaire(lib: ContentLibrary, file: string): void {
  const opened = open(lib, file);
  if (!opened) return;
  const { raw, problem } = opened;
  const id = contentId(raw, problem);
  const items: string[] = [];
  const rawItems = raw['items'];
  if (!Array.isArray(rawItems) || rawItems.length === 0) problem(['items'], "a questionnaire needs a non-empty 'items' list");
  else {
    rawItems.forEach((item, i) => {
      const itemId = (item as Raw | null)?.['id'];
      if (typeof itemId !== 'string' || !/^[a-z][a-z0-9_]*$/.test(itemId)) return problem(['items', i], "each item needs an 'id' like q1");
      if (items.includes(itemId)) return problem(['items', i, 'id'], `item '${itemId}' appears twice`, 'duplicate-id');
      const options = (item as Raw)['options'];
      if (!Array.isArray(options) || !options.every((o) => typeof (o as Raw | null)?.['score'] === 'number')) {
        problem(['items', i], `item '${itemId}' needs 'options', each with a numeric 'score'`);
      }
      items.push(itemId);
    });
  }
  const bands: CompiledQuestionnaire['bands'] = [];
  const rawBands = raw['bands'];
  if (rawBands !== undefined && !Array.isArray(rawBands)) problem(['bands'], "'bands' must be a list");
  for (const [i, b] of (Array.isArray(rawBands) ? rawBands : []).entries()) {
    const band = b as Raw | null;
    if (typeof band?.['min'] !== 'number' || typeof band['max'] !== 'number' || typeof band['label'] !== 'string') {
      problem(['bands', i], "each band needs numeric 'min' and 'max' and a 'label'");
      continue;
    }
    bands.push({ min: band['min'], max: band['max'], label: band['label'] });
  }
  if (!id) return;
  if (lib.questionnaires.has(id)) return problem(['id'], `questionnaire '${id}' is already defined in ${lib.questionnaires.get(id)!.file}`, 'duplicate-id');
  lib.questionnaires.set(id, { id, file, compiled: { items, bands } });
}
