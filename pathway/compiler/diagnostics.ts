/** Compiler diagnostics: one precise line each, `file:line:col: error: message [rule-id]`. */

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  rule: string;
  message: string;
}

/** Renders a diagnostic the way editors and CI logs expect it. */
export function renderDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: error: ${d.message} [${d.rule}]`;
}

/** Sorts by file, line, column, rule and drops exact duplicates. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return [...list]
    .sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.col - b.col || cmp(a.rule, b.rule) || cmp(a.message, b.message))
    .filter((d) => {
      const key = renderDiagnostic(d);
      return seen.has(key) ? false : (seen.add(key), true);
    });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
