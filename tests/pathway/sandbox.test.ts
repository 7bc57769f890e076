/**
 * The planner must load inside Temporal's workflow sandbox: its whole import graph may use only
 * the compiled-pathway types, its own modules and the CEL library — no Node built-ins, no YAML
 * or ajv, no clock, no randomness, no Intl.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.ts';

const ALLOWED_PACKAGES = ['@marcbachmann/cel-js'];
const FORBIDDEN = [
  /\bDate\.now\b/,
  /new Date\(\s*\)/,
  /\bMath\.random\b/,
  /\bIntl\./,
  /\bprocess\./,
  /\brequire\(/,
  /\bsetTimeout\b/,
  /\bcrypto\b/,
  /\btoLocale\w*\(/,
];

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

function graph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(REPO, f)).sort(), packages: [...packages].sort() };
}

describe('planner import graph', () => {
  const { files, packages } = graph(join(REPO, 'pathway/planner/index.ts'));

  it('stays inside pathway/planner and pathway/model', () => {
    for (const f of files) expect(f).toMatch(/^pathway\/(planner|model)\//);
  });

  it('imports no package but the CEL evaluator', () => {
    expect(packages.filter((p) => !ALLOWED_PACKAGES.includes(p))).toEqual([]);
  });

  it('uses no clock, randomness, Intl or process', () => {
    for (const f of files) {
      const code = readFileSync(join(REPO, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const pattern of FORBIDDEN) expect(`${f}: ${pattern.test(code)}`).toBe(`${f}: false`);
    }
  });

  it('pulls in a CEL library without Node built-ins', () => {
    const lib = join(REPO, 'node_modules/@marcbachmann/cel-js/lib');
    for (const name of ['index.js', 'evaluator.js', 'functions.js', 'registry.js', 'parser.js', 'type-checker.js']) {
      for (const spec of importsOf(join(lib, name))) expect(spec.startsWith('./')).toBe(true);
    }
  });
});
