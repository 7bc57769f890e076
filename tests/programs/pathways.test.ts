/**
 * The shipped programs (issue #4): every pathway compiles, every step carries a vocabulary code,
 * every template keeps to the rendering contract, and the preview of each program for a fixed
 * sample patient matches its reviewed golden timeline (UPDATE_GOLDEN=1 rewrites the goldens).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadVocabulary } from '../../pathway/compiler/vocabulary.ts';
import {
  carepath,
  compiledProgram,
  expectGolden,
  localMinutes,
  previewJson,
  program,
  PROGRAMS,
  REPO,
  type CompiledPathway,
  type ProgramName,
} from './helpers.ts';

const NAMES = Object.keys(PROGRAMS) as ProgramName[];
const CONTENT = `${REPO}pathways/content/`;

describe('every program validates', () => {
  it('carepath validate pathways/ exits 0 with all seven programs', () => {
    const r = carepath(['validate', 'pathways']);
    expect(r.stderr).toContain('7 pathway files checked: all valid');
    expect(r.code).toBe(0);
  });

  // Bumped on every change of content: ivf-cycle 2 added the holiday greetings; 3 (ivf-cycle 4) the anchors' plausible windows;
  // the obstetrics programs' 4 their pacing of routine messages.
  const VERSIONS: Partial<Record<ProgramName, string>> = { 'ivf-cycle': '4', 'full-pregnancy': '4', 'mid-pregnancy': '4', 'late-pregnancy': '4' };

  it.each(NAMES)('%s compiles, is versioned and stays a reasonable size', (name) => {
    const p = program(name);
    expect(p.version).toBe(VERSIONS[name] ?? '3');
    expect(p.timezone).toEqual({ name: 'Asia/Shanghai', offsetMinutes: 480 });
    expect(p.quietHours).toEqual({ start: 21 * 60, end: 8 * 60 });
    // Obstetrics pushes education often: routine messages 30 minutes apart at least.
    expect(p.pacing).toEqual(name.endsWith('-pregnancy') ? { gapMinutes: 30 } : undefined);
    // Pinned into every journey's workflow input: keep it well below Temporal's payload limits.
    expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(80 * 1024);
  });
});

describe('codes', () => {
  const codes = loadVocabulary().codes;

  it('every step of every program carries a code from the vocabulary', () => {
    for (const name of NAMES) {
      for (const step of program(name).steps) {
        expect(step.code, `${name}: ${step.id}`).toBeDefined();
        expect(codes.has(step.code!), `${name}: ${step.id} code ${step.code}`).toBe(true);
      }
    }
  });

  it('the codes the issue names are all used', () => {
    const used = new Set(NAMES.flatMap((n) => program(n).steps.map((s) => s.code)));
    const required = [
      'booking-visit',
      'nt-scan',
      'nipt',
      'serum-screening',
      'anomaly-scan',
      'ogtt',
      'gbs',
      'nst',
      'delivery',
      'postpartum-home-visit',
      'postpartum-42d',
      'epds',
      'phq9',
      'gad7',
      'baseline-visit',
      'stimulation-monitoring',
      'trigger-shot',
      'egg-retrieval',
      'embryo-transfer',
      'hcg-test',
      'early-ultrasound',
      'followup-call',
      'recheck',
      'report-approval',
      'advance-notice',
    ];
    expect(required.filter((c) => !used.has(c))).toEqual([]);
  });

  it('docs/codes.md documents every code of the vocabulary', () => {
    const doc = readFileSync(`${REPO}docs/codes.md`, 'utf8');
    const missing = [...codes.keys()].filter((c) => !doc.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });
});

describe('content', () => {
  const templates = new Map<string, { body: string; channels?: string[] }>();
  for (const f of readdirSync(`${CONTENT}templates`)) {
    const raw = parse(readFileSync(`${CONTENT}templates/${f}`, 'utf8')) as { id: string; body: string; channels?: string[] };
    templates.set(raw.id, raw);
  }
  const vars = (body: string) => [...body.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!);

  /**
   * What the running platform supplies when it renders a template: name (patient directory),
   * title, step, stage, code, metric, questionnaire, every anchor by name, and the data the
   * causing occurrence produced.
   */
  function allowed(p: CompiledPathway, stepId: string): Set<string> {
    const out = new Set(['name', 'title', 'step', 'stage', 'code', 'metric', 'questionnaire', ...Object.keys(p.anchors)]);
    const step = p.steps.find((s) => s.id === stepId)!;
    if (step.origin.type === 'dependent') {
      const source = p.steps.find((s) => s.id === (step.origin as { source: string }).source)!;
      if (source.kind === 'task') for (const f of Object.keys(source.produces)) out.add(f);
      if (source.kind === 'approval') ['approved', 'note'].forEach((f) => out.add(f));
    }
    return out;
  }

  it('every template a step uses asks only for variables the platform supplies', () => {
    for (const name of NAMES) {
      const p = program(name);
      for (const step of p.steps) {
        if (!('template' in step) || !step.template) continue;
        const t = templates.get(step.template)!;
        const bad = vars(t.body).filter((v) => !allowed(p, step.id).has(v));
        expect(bad, `${name}: ${step.id} uses ${step.template}`).toEqual([]);
      }
    }
  });

  it('the questionnaire invitation the platform sends for every scale exists and needs only name and title', () => {
    const t = templates.get('questionnaire_invite');
    expect(t).toBeDefined();
    expect(new Set(vars(t!.body))).toEqual(new Set(['name', 'title']));
  });

  it('templates that use {{stage}} are only sent inside a stage', () => {
    for (const name of NAMES) {
      const p = program(name);
      const stageSteps = p.steps.filter((s) => 'template' in s && s.template && vars(templates.get(s.template)!.body).includes('stage'));
      for (const e of previewJson(name)) {
        if (stageSteps.some((s) => s.id === e['step']) && e['status'] === 'planned') expect(e['stage'], `${name}: ${e['key']}`).not.toBeNull();
      }
    }
  });

  it('patient texts never diagnose, prescribe or interpret (a lint over the wording)', () => {
    const forbidden = [
      /诊断为/,
      /确诊/,
      /您患有/,
      /您得了/,
      /建议服用/,
      /\d+(\.\d+)?\s*(mg|毫克|微克|μg|IU|单位)/,
      /每次\s*\d+\s*(片|粒|支)/,
      /剂量为/,
      /结果正常/,
      /结果异常/,
      /没有问题/,
    ];
    for (const [id, t] of templates) {
      for (const re of forbidden) expect(re.test(t.body), `${id}: ${re}`).toBe(false);
    }
  });

  it('every patient notice routes medical questions or emergencies to clinicians, never answers them', () => {
    const patientFacing = [...templates.entries()].filter(([, t]) => t.channels?.includes('sms'));
    for (const [id, t] of patientFacing) {
      if (id.startsWith('notice_') || id.startsWith('welcome_')) {
        expect(/医生|医护|护士|急诊|120|管家|助理/.test(t.body), id).toBe(true);
      }
    }
  });

  it('the scales have their items, 0–3 scoring and bands', () => {
    const scale = (id: string) =>
      parse(readFileSync(`${CONTENT}questionnaires/${id}.yaml`, 'utf8')) as {
        items: { id: string; options: { score: number }[] }[];
        bands: { min: number; max: number; label: string }[];
      };
    for (const [id, n, max] of [
      ['epds', 10, 30],
      ['phq9', 9, 27],
      ['gad7', 7, 21],
    ] as const) {
      const q = scale(id);
      expect(q.items.map((i) => i.id)).toEqual(Array.from({ length: n }, (_, i) => `q${i + 1}`));
      for (const item of q.items) expect(item.options.map((o) => o.score).sort()).toEqual([0, 1, 2, 3]);
      expect(q.bands[0]!.min).toBe(0);
      expect(q.bands.at(-1)!.max).toBe(max);
      for (let i = 1; i < q.bands.length; i++) expect(q.bands[i]!.min).toBe(q.bands[i - 1]!.max + 1);
    }
    // EPDS items 3 and 5–10 are reverse-scored: their first option scores 3.
    const epds = scale('epds');
    expect(epds.items.map((i) => i.options[0]!.score)).toEqual([0, 0, 3, 0, 3, 3, 3, 3, 3, 3]);
    expect(epds.bands.find((b) => b.min === 13)?.label).toBe('probable');
  });
});

describe('golden previews', () => {
  it.each(NAMES)('%s matches its reviewed golden timeline', (name) => {
    expectGolden(name, previewJson(name));
  });

  it('the goldens are exactly what `carepath preview --json` prints', () => {
    const name: ProgramName = 'ivf-cycle';
    const p = PROGRAMS[name];
    const args = ['preview', p.file, '--json', ...Object.entries(p.anchors).flatMap(([k, v]) => ['--anchor', `${k}=${v}`])];
    const r = carepath(args);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(previewJson(name));
  });

  it('the post-checkup golden uses the same sample patient as the CLI with --var', () => {
    const p = PROGRAMS['post-checkup-premium'];
    const args = [
      'preview',
      p.file,
      '--json',
      ...Object.entries(p.anchors).flatMap(([k, v]) => ['--anchor', `${k}=${v}`]),
      ...Object.entries(p.vars).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
    ];
    const r = carepath(args);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(previewJson('post-checkup-premium'));
  });

  it.each(NAMES)('%s sends no routine action between 21:00 and 08:00', (name) => {
    for (const e of previewJson(name)) {
      if (e['status'] !== 'planned' || e['urgency'] !== 'routine') continue;
      const m = localMinutes(e['at'] as string);
      expect(m >= 8 * 60 && m < 21 * 60, `${name}: ${e['key']} at ${e['at']}`).toBe(true);
    }
  });

  it('compiled sizes are stable enough to report', () => {
    const sizes = Object.fromEntries(NAMES.map((n) => [n, Math.round(Buffer.byteLength(JSON.stringify(compiledProgram(PROGRAMS[n].file))) / 1024)]));
    for (const kib of Object.values(sizes)) expect(kib).toBeGreaterThan(5);
  });
});
