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

/** Sorts by file, line, column, rule, drops exact duplicates and clips long quoted values. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list
    .map((d) => ({ ...d, message: clipMessage(d.message) }))
    .sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.col - b.col || cmp(a.rule, b.rule) || cmp(a.message, b.message))
    .filter((d) => {
      const key = renderDiagnostic(d);
      return seen.has(key) ? false : (seen.add(key), true);
    });
}

const MAX_QUOTED = 80;
const MAX_MESSAGE = 1000;

/** Shortens each `'…'` value longer than 80 characters (a pasted blob would otherwise be echoed whole); linear in the message. */
export function clipMessage(message: string): string {
  let out = '';
  let from = 0;
  for (let open = message.indexOf("'"); open >= 0; open = message.indexOf("'", from)) {
    const close = message.indexOf("'", open + 1);
    if (close < 0) break;
    const value = message.slice(open + 1, close);
    out += message.slice(from, open + 1) + (value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED - 20)}… (${value.length} characters)` : value) + "'";
    from = close + 1;
  }
  out += message.slice(from);
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
