/**
 * The texts patients receive, against the product's boundaries: nothing medical is instructed
 * (medication is always the doctor's), nothing assumes a happy outcome, and a sensitive text's
 * SMS (shown on a lock screen) names no procedure or condition.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.ts';

const DIR = `${REPO}pathways/content/templates/`;
const templates = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => parse(readFileSync(`${DIR}${f}`, 'utf8')) as { id: string; body: string; sms_body?: string; sensitive?: boolean; channels?: string[] });

/**
 * A sentence that tells when to take, continue, stop or change a medication: a timing or change
 * word next to a medication word, unless the sentence hands the question to the doctor.
 */
function instructsMedication(sentence: string): boolean {
  const near = [...sentence.matchAll(/药|胰岛素|针剂/g)].some((m) =>
    /前|后|再|停|继续|调整|增减|剂量|按时/.test(sentence.slice(Math.max(0, m.index - 8), m.index + 9)),
  );
  return near && !/以医生|按医生的嘱咐|以医嘱为准|转达医生|告知医生|向医生咨询|咨询您的医生/.test(sentence);
}

const sentences = (text: string) => text.split(/[。！？；\n]/).filter((s) => s.trim());

describe('message templates', () => {
  it("never say when to take, continue or stop a medication: that is the doctor's", () => {
    const offending = templates.flatMap((t) =>
      sentences(t.body)
        .filter((s) => instructsMedication(s))
        .map((s) => `${t.id}: ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it('assume no happy or term outcome (a birth may be preterm, a cycle may fail)', () => {
    expect(templates.filter((t) => /恭喜|顺利分娩|心想事成|好孕/.test(t.body)).map((t) => t.id)).toEqual([]);
  });

  it('send sensitive texts by SMS only as a neutral notice', () => {
    const sensitiveWords = /取卵|移植|促排|夜针|验孕|hCG|胚胎|黄体|生殖|心理|抑郁|焦虑|自伤|危机|12356|流产|妊娠丢失|糖尿病|孕/;
    for (const t of templates.filter((x) => x.sensitive)) {
      if (!(t.channels ?? []).includes('sms')) continue;
      expect(t.sms_body, `${t.id} has a neutral sms_body`).toBeTruthy();
      expect(t.sms_body!, t.id).not.toMatch(sensitiveWords);
    }
    expect(templates.filter((t) => t.sensitive && t.sms_body).length).toBeGreaterThanOrEqual(10);
  });
});
