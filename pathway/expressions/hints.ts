/**
 * What a pathway author meant when CEL refused an expression: habits from SQL, Python, Excel and
 * JavaScript (`or`, `and`, `not`, `=`, `<>`, `True`, `28,5`), named with what CEL wants instead.
 * The parser's own message ("Unexpected character: 'r'") says where, not what.
 */

export interface ConstructHint {
  message: string;
  offset: number;
}

interface Habit {
  pattern: RegExp;
  message: (match: string) => string;
}

const HABITS: Habit[] = [
  { pattern: /\b(?:or|OR|Or)\b/, message: (m) => `'${m}' is not CEL: use || (e.g. a || b)` },
  { pattern: /\b(?:and|AND|And)\b/, message: (m) => `'${m}' is not CEL: use && (e.g. a && b)` },
  { pattern: /\b(?:not|NOT|Not)\b/, message: (m) => `'${m}' is not CEL: use ! (e.g. !gdm) or != to compare` },
  { pattern: /\bis\b/, message: () => "'is' is not CEL: compare with == or !=" },
  { pattern: /\b(?:True|False|TRUE|FALSE)\b/, message: (m) => `'${m}' is not CEL: write ${m.toLowerCase()} in lower case` },
  { pattern: /\b(?:if|then|else|elif)\b/, message: (m) => `'${m}' is not CEL: a condition is one expression; for a choice use cond ? a : b` },
  { pattern: /===|!==/, message: (m) => `'${m}' is not CEL: use ${m === '===' ? '==' : '!='}` },
  { pattern: /<>/, message: () => "'<>' is not CEL: use !=" },
  { pattern: /=>/, message: () => "'=>' is not CEL: use >=" },
  { pattern: /=</, message: () => "'=<' is not CEL: use <=" },
  { pattern: /(?<![=!<>])=(?!=)/, message: () => "a single '=' is not a comparison in CEL: use ==" },
  { pattern: /(?<![[,(]\s*)\b\d+,\d+\b(?!\s*[,\])])/, message: (m) => `'${m}': CEL writes decimals with a point (${m.replace(',', '.')})` },
];

/** Blanks out string literals, keeping offsets, so `'or'` inside quotes is not taken for the operator. */
function withoutStrings(source: string): string {
  return source.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, (s) => s[0] + ' '.repeat(Math.max(0, s.length - 2)) + s[s.length - 1]);
}

/** The first habit the expression shows, with where it is; null when none does. */
export function constructHint(source: string): ConstructHint | null {
  const code = withoutStrings(source);
  let best: ConstructHint | null = null;
  for (const habit of HABITS) {
    const m = habit.pattern.exec(code);
    if (m && (best === null || m.index < best.offset)) best = { message: habit.message(m[0]), offset: m.index };
  }
  return best;
}
