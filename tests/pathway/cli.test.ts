/** `carepath validate` and `carepath preview`, run as a real process. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.ts';

const BIN = `${REPO}bin/carepath.js`;
const F = 'tests/pathway/fixtures';

function carepath(args: string[], cwd = REPO): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('carepath options', () => {
  it('answers --help with what the command does and exits 0', () => {
    const r = carepath(['preview', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^carepath preview: print the timeline a pathway plans: carepath preview <file\|id> --anchor/);
  });

  it('answers an unknown option with one line and the usage, never a stack trace, and exits 2', () => {
    const r = carepath(['validate', '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^carepath validate: Unknown option '--strict'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('carepath validate', () => {
  it('refuses a file changed under the version of its last committed copy, with the fix, and accepts it once bumped', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'carepath-versions-'));
    mkdirSync(path.join(repo, 'pathways'));
    cpSync(`${REPO}pathways/content`, path.join(repo, 'pathways', 'content'), { recursive: true });
    const file = path.join(repo, 'pathways', 'diabetes.yaml');
    cpSync(`${REPO}pathways/chronic/diabetes-home.yaml`, file);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'pathway v2');
    expect(carepath(['validate', 'pathways'], repo).code).toBe(0);

    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('title: 2型糖尿病居家管理（内分泌科，1年）', 'title: 2型糖尿病居家管理（内分泌科，一年）'));
    const changed = carepath(['validate', 'pathways'], repo);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(
      /^pathways\/diabetes\.yaml:14:10: error: pathway chronic-disease\.diabetes-home version 3 changed since the last commit \([0-9a-f]+\) .*give the changed file a new version \(e\.g\. version: "4"\).* \[version-reused\]$/m,
    );

    writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: 3$/m, 'version: 4'));
    expect(carepath(['validate', 'pathways'], repo).code).toBe(0);
    // A change that compiles to the same pathway (a comment) needs no new version.
    writeFileSync(file, `${original}\n# reviewed 2026-12-02\n`);
    expect(carepath(['validate', 'pathways'], repo).code).toBe(0);
  });

  it('exits 0 when every file in a folder is valid', () => {
    const r = carepath(['validate', `${F}/valid`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ok ${F}/valid/pregnancy.yaml (obstetrics.pregnancy-demo v1.0.0, sha256 `);
    expect(r.stderr).toContain('5 pathway files checked: all valid');
  });

  it.each([
    ['yaml-syntax.yaml', '63:11', 'yaml-syntax'],
    ['unknown-step-ref.yaml', '57:17', 'unknown-step-ref'],
    ['expression-syntax.yaml', '65:27', 'expression-syntax'],
  ])('prints one precise line for %s and exits 1', (file, pos, rule) => {
    const r = carepath(['validate', `${F}/invalid/${file}`]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${F}/invalid/${file}:${pos}: error: .+ \\[${rule}\\]$`));
  });

  it('reports every file of a folder, all errors at once', () => {
    const r = carepath(['validate', `${F}/invalid`]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(40);
  });

  it('prints machine-readable results with --json', () => {
    const r = carepath(['validate', '--json', `${F}/invalid/unknown-template.yaml`, `${F}/valid/ivf.yaml`]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.files).toMatchObject([
      { file: `${F}/invalid/unknown-template.yaml`, ok: false, errors: [{ line: 53, col: 15, rule: 'unknown-template' }] },
      { file: `${F}/valid/ivf.yaml`, ok: true, id: 'reproductive.ivf-demo', version: '2', errors: [] },
    ]);
  });

  it('rejects two files with the same pathway id and version', () => {
    const r = carepath(['validate', `${F}/duplicate`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${F}/duplicate/b.yaml:2:10: error: pathway 'post-checkup.basic-demo' version 1 is also defined in ${F}/duplicate/a.yaml [duplicate-pathway]`,
    );
  });

  it('fails clearly on a missing path', () => {
    const r = carepath(['validate', 'no/such/dir']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('carepath validate: no such file or folder: no/such/dir');
  });
});

describe('carepath preview', () => {
  it('prints a timeline with gestational age, stage, step, title, kind and who', () => {
    const r = carepath(['preview', `${F}/valid/pregnancy.yaml`, '--anchor', 'lmp=2027-01-15', '--event', 'delivered=2027-10-20']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2027-04-02 09:00\s+11\+0\s+first_trimester\s+book_nt#1\s+.*\btask\s+butler/);
    expect(r.stdout).toMatch(/2027-11-03 09:00\s+41\+5\s+postpartum\s+epds_2w#1\s+.*\bquestionnaire\s+wechat/);
  });

  it('writes the timeline as one self-contained page with --html', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'carepath-html-')), 'timeline.html');
    const r = carepath(['preview', 'pathways/obstetrics/full-pregnancy.yaml', '--anchor', 'lmp=2027-01-15', '--html', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*timeline\.html: \d+ steps of obstetrics\.full-pregnancy v\d+/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<title>产科全孕期管理');
    expect(html).toContain('>booking-visit</span>');
  });

  it('prints JSON entries with ISO times carrying the offset', () => {
    const r = carepath(['preview', `${F}/valid/pregnancy.yaml`, '--anchor', 'lmp=2027-01-15', '--now', '2027-06-20T10:00', '--json']);
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as Record<string, unknown>[];
    for (const e of entries) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['at', 'stage', 'step', 'kind', 'code']));
      expect(e['at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    }
    expect(entries.find((e) => e['key'] === 'book_nt#1')).toMatchObject({ status: 'skipped', reason: 'late-enrolment' });
    expect(entries.find((e) => e['key'] === 'anomaly_scan#1')).toMatchObject({
      status: 'planned',
      at: '2027-06-20T10:00:00+08:00',
      planned_at: '2027-06-04T09:00:00+08:00',
      code: 'anomaly-scan',
    });
  });

  it('finds a pathway by id under pathways/ and shows cycle days', () => {
    const r = carepath(
      ['preview', 'reproductive.ivf-demo', '--anchor', 'cycle_start=2027-03-01', '--event', 'trigger_given=2027-03-12T21:00'],
      `${REPO}${F}/lookup`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2027-03-14 09:00\s+CD14\s+retrieval#1\s+.*\bmilestone\b/);
  });

  it('explains a missing required anchor', () => {
    const r = carepath(['preview', `${F}/valid/pregnancy.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("anchor 'lmp' is required: add --anchor lmp=YYYY-MM-DD");
  });
});

describe('carepath preview --scenario', () => {
  it('plays what staff and the patient do: a booking for after the birth, an item left open, a self-harm answer', () => {
    const r = carepath(['preview', 'pathways/obstetrics/full-pregnancy.yaml', '--scenario', `${F}/scenarios/preterm.yaml`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const entries = JSON.parse(r.stdout) as Record<string, unknown>[];
    const find = (key: string, status: string) => entries.find((e) => e['key'] === key && e['status'] === status);
    expect(find('book_nst#1', 'cancelled')).toMatchObject({ reason: 'stage-ended', at: '2028-09-16T05:10:00+08:00', age: '产后D+0' });
    expect(find('v6_notice#1', 'skipped')).toMatchObject({ reason: 'stage-ended', title: '第6次产检（孕33+0–36+6周）' });
    expect(find('self_harm_escalation#epds_late#1', 'planned')).toMatchObject({ role: 'on_call', urgency: 'urgent', age: '32+0' });
    expect(find('postpartum_welcome#1', 'planned')).toMatchObject({ age: '产后D+1' });
    const table = carepath(['preview', 'pathways/obstetrics/full-pregnancy.yaml', '--scenario', `${F}/scenarios/preterm.yaml`]);
    expect(table.stdout).toMatch(/book_nst#1\s+预约胎心监护.*cancelled: stage-ended/);
  });

  it('names the file, line and column of every problem in a scenario', () => {
    const r = carepath(['preview', 'pathways/obstetrics/full-pregnancy.yaml', '--anchor', 'lmp=2028-01-20', '--scenario', `${F}/scenarios/broken.yaml`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${F}/scenarios/broken.yaml:2:3: error: the pathway has no step 'book_ntt' (did you mean 'book_nt'?)`);
    expect(r.stderr).toContain(`${F}/scenarios/broken.yaml:4:36: error: the pathway has no event 'born'`);
  });
});
