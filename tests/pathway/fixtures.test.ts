/**
 * One broken fixture per rule: each file's header says where the single error must be
 * (`# expect: line:col rule-id`), and the compiler must report exactly that one line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFile, compileSource } from '../../pathway/compiler/compile.ts';
import { loadContent } from '../../pathway/compiler/content.ts';
import { loadVocabulary } from '../../pathway/compiler/vocabulary.ts';
import { renderDiagnostic } from '../../pathway/compiler/diagnostics.ts';
import { RULES } from '../../pathway/compiler/rules.ts';
import { FIXTURES, REPO } from './helpers.ts';

const INVALID = `${FIXTURES}invalid/`;
const files = readdirSync(INVALID)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function expectation(path: string): { line: number; col: number; rule: string } {
  const m = /^# expect: (\d+):(\d+) ([a-z-]+)$/m.exec(readFileSync(path, 'utf8'));
  if (!m) throw new Error(`${path} has no '# expect: line:col rule' header`);
  return { line: Number(m[1]), col: Number(m[2]), rule: m[3]! };
}

describe('broken fixtures', () => {
  it('the base they are derived from is valid', () => {
    expect(compileFile(`${FIXTURES}base.yaml`).diagnostics.map(renderDiagnostic)).toEqual([]);
  });

  it.each(files)('%s gives exactly the expected line', (file) => {
    const path = `${INVALID}${file}`;
    const want = expectation(path);
    const { diagnostics, compiled } = compileFile(path);
    expect(compiled).toBeUndefined();
    expect(diagnostics.map(renderDiagnostic)).toHaveLength(1);
    const [d] = diagnostics;
    expect({ line: d!.line, col: d!.col, rule: d!.rule }).toEqual(want);
    expect(renderDiagnostic(d!)).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${want.line}:${want.col}: error: .+ \\[${want.rule}\\]$`));
  });

  it('every rule id has a fixture (or a dedicated test)', () => {
    const covered = new Set(files.map((f) => expectation(`${INVALID}${f}`).rule));
    const elsewhere = ['schema-invalid', 'content-invalid', 'duplicate-pathway'];
    const missing = Object.keys(RULES).filter((r) => !covered.has(r) && !elsewhere.includes(r));
    expect(missing).toEqual([]);
  });

  it('documents every rule id in docs/pathway-language.md', () => {
    const docs = readFileSync(`${REPO}docs/pathway-language.md`, 'utf8');
    for (const rule of Object.keys(RULES)) expect(docs).toContain(`| \`${rule}\` |`);
  });

  it('reports broken content files with their own positions', () => {
    const { diagnostics } = compileFile(`${FIXTURES}broken-content/uses-content.yaml`);
    const got = diagnostics.map((d) => `${d.file.slice(d.file.indexOf('broken-content'))}:${d.line}:${d.col} ${d.rule}`);
    expect(got).toEqual([
      'broken-content/content/questionnaires/bad.yaml:4:5 content-invalid',
      'broken-content/content/templates/no_body.yaml:3:1 content-invalid',
    ]);
    for (const d of diagnostics) {
      const want = expectation(d.file);
      expect([d.line, d.col, d.rule]).toEqual([want.line, want.col, want.rule]);
    }
  });

  it('reports many independent mistakes at once', () => {
    const text = readFileSync(`${FIXTURES}base.yaml`, 'utf8')
      .replace('    template: visit_notice\n', '    template: visit_notise\n')
      .replace('      earliest: book_nt.done\n', '      earliest: book_ntt.done\n')
      .replace('score >= 13 || items.q10 > 0', 'score >= ');
    const env = { vocabulary: loadVocabulary(), content: loadContent(`${FIXTURES}content`) };
    const result = compileSource('many.yaml', text, env);
    expect(result.diagnostics.map((d) => d.rule)).toEqual(['unknown-template', 'unknown-step-ref', 'expression-syntax']);
  });
});
