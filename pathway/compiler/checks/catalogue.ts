/** Names that must exist outside the pathway: codes, roles, channels, templates, questionnaires. */
import { relative } from 'node:path';
import { channelsOf, isRaw, str, type Analysis, type Raw } from '../analysis.ts';
import { parseDuration } from '../../planner/duration.ts';
import type { TemplateInfo } from '../content.ts';
import type { Path } from '../source.ts';
import { didYouMean } from '../suggest.ts';

const AUDIENCES = ['patient', 'family'];

/** Checks every vocabulary and content reference of every step. */
export function checkCatalogue(a: Analysis): void {
  const { vocabulary, content } = a.env;
  const role = (value: string | undefined, path: Path) => {
    if (value !== undefined && !vocabulary.roles.has(value)) {
      a.report('unknown-role', `unknown role '${value}'${didYouMean(value, vocabulary.roles.keys())}`, path);
    }
  };
  const channels = (def: Raw, path: Path): string[] => {
    const spec = channelsOf(def);
    for (const c of spec.list) {
      if (!vocabulary.channels.has(c.value)) {
        a.report(
          'unknown-channel',
          `unknown channel '${c.value}'${didYouMean(c.value, vocabulary.channels.keys())}; channels: ${[...vocabulary.channels.keys()].join(', ')}`,
          [...path, ...spec.path, c.index],
        );
      }
    }
    if (spec.within !== undefined) checkFallback(a, spec, path);
    return spec.list.map((c) => c.value);
  };
  for (const step of a.draft.steps) {
    const def = step.def;
    const code = str(def, 'code');
    if (code !== undefined && !vocabulary.codes.has(code)) {
      a.report(
        'unknown-code',
        `unknown clinical code '${code}'${didYouMean(code, vocabulary.codes.keys())} (codes are listed in pathway/vocabulary/codes.yaml)`,
        [...step.path, 'code'],
      );
    }
    role(str(def, 'role'), [...step.path, 'role']);
    const audience = str(def, 'audience');
    if (audience !== undefined && !AUDIENCES.includes(audience)) role(audience, [...step.path, 'audience']);
    const stepChannels = channels(def, step.path);
    const escalate = def['escalate'];
    if (Array.isArray(escalate)) {
      escalate.forEach((level, i) => {
        if (!isRaw(level)) return;
        role(str(level, 'role'), [...step.path, 'escalate', i, 'role']);
        channels(level, [...step.path, 'escalate', i]);
      });
    }
    const template = str(def, 'template');
    if (template !== undefined) {
      const info = content.templates.get(template);
      if (!info) {
        a.report('unknown-template', `unknown template '${template}'${didYouMean(template, content.templates.keys())}${where(a)}`, [...step.path, 'template']);
      } else if (info.channels) {
        const unsupported = stepChannels.filter((c) => !info.channels!.includes(c));
        if (unsupported.length) {
          a.report(
            'template-channel-mismatch',
            `template '${template}' has no text for channel ${unsupported.join(', ')} (it supports ${info.channels.join(', ')})`,
            [...step.path, 'template'],
          );
        }
      }
      if (info && stepChannels.includes('sms')) checkSmsPrivacy(a, template, info, [...step.path, 'channels']);
    }
    const questionnaire = str(def, 'questionnaire');
    if (questionnaire !== undefined && !content.questionnaires.has(questionnaire)) {
      a.report('unknown-questionnaire', `unknown questionnaire '${questionnaire}'${didYouMean(questionnaire, content.questionnaires.keys())}${where(a)}`, [
        ...step.path,
        'questionnaire',
      ]);
    }
  }
}

/** Bounds of a preference order's `within`: long enough for a receipt, short enough to still matter. */
const FALLBACK_MINUTES = { min: 5, max: 3 * 24 * 60 };

/** A preference order: each channel once, a person's call (`phone`) only last, a `within` a receipt can meet. */
function checkFallback(a: Analysis, spec: ReturnType<typeof channelsOf>, path: Path): void {
  const names = spec.list.map((c) => c.value);
  spec.list.forEach((c, i) => {
    if (names.indexOf(c.value) !== i)
      a.report('channel-fallback', `channel '${c.value}' is named twice in the preference order`, [...path, ...spec.path, c.index]);
    else if (c.value === 'phone' && i !== names.length - 1)
      a.report('channel-fallback', "'phone' is a person's call: it can only come last in a preference order (when nothing else reached the patient)", [
        ...path,
        ...spec.path,
        c.index,
      ]);
  });
  const minutes = parseDuration(spec.within ?? '')?.minutes;
  if (minutes !== undefined && (minutes < FALLBACK_MINUTES.min || minutes > FALLBACK_MINUTES.max)) {
    a.report(
      'channel-fallback',
      `'within: ${spec.within}' is outside 5min–3d: the next channel goes when a receipt has had time to come, while the message still matters`,
      [...path, 'channels', 'within'],
    );
  }
}

/**
 * Sensitive content never goes by SMS: a sensitive template needs a neutral `sms_body`. In a
 * reproductive program most texts name a procedure, so each text sent by SMS must say whether
 * it is sensitive: `false` records that a reviewer found it neutral.
 */
function checkSmsPrivacy(a: Analysis, template: string, info: TemplateInfo, path: Path): void {
  if (info.sensitive && info.smsBody === undefined) {
    a.report(
      'sensitive-over-sms',
      `template '${template}' is sensitive and has no neutral 'sms_body': drop sms from the channels or give the template an sms_body`,
      path,
    );
  } else if (info.sensitive === undefined && str(a.draft.root, 'program') === 'reproductive') {
    a.report(
      'sensitive-over-sms',
      `a reproductive program's texts are sensitive personal information unless reviewed: give template '${template}' 'sensitive: true' and a neutral 'sms_body', or 'sensitive: false' if it names no procedure or condition`,
      path,
    );
  }
}

function where(a: Analysis): string {
  const dir = a.env.content.dir;
  return dir ? ` in ${relative(process.cwd(), dir) || dir}` : ' (no content/ directory found next to the pathway)';
}
