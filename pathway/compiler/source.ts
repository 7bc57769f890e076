/**
 * YAML source with positions: parses a file with `yaml`'s LineCounter and maps data paths
 * (`['steps', 3, 'timing', 'at']`) back to line and column.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node, type Pair } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';

export type Path = readonly (string | number)[];

export interface Source {
  file: string;
  text: string;
  doc: Document;
  lines: LineCounter;
  /** The document as plain data. */
  value: unknown;
}

/**
 * Parses YAML. A syntax error stops the file at the first one (later ones are usually echoes of
 * it), so a typo gives exactly one line. Duplicate keys are each reported and parsing goes on.
 */
export function parseSource(file: string, text: string): { source?: Source; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const diagnostics: Diagnostic[] = [];
  const syntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  if (syntax) {
    const overIndented = syntax.code === 'BLOCK_AS_IMPLICIT_KEY' ? overIndentedLine(text, lines.linePos(syntax.pos[0]).line) : null;
    if (overIndented) {
      const message = 'YAML: this line is indented more than the line above it; keys of one mapping must start in the same column';
      return { diagnostics: [{ file, ...overIndented, rule: 'yaml-syntax', message }] };
    }
    const pos = syntaxErrorOffset(text, syntax.code, syntax.message, syntax.pos[0]);
    const { line, col } = lines.linePos(pos);
    const message = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { diagnostics: [{ file, line, col, rule: 'yaml-syntax', message: `YAML: ${message}` }] };
  }
  for (const e of doc.errors) {
    const { line, col } = lines.linePos(e.pos[0]);
    diagnostics.push({ file, line, col, rule: 'duplicate-key', message: 'this key appears twice in the same mapping' });
  }
  // More alias nodes than expansions allowed is too many already; checked first because `yaml`
  // takes time quadratic in the number of aliases to expand them (each resolves by a document walk).
  const aliases = scanAliases(doc);
  if (aliases.dangling || aliases.count > MAX_ALIAS_COUNT) return { diagnostics: [aliasDiagnostic(file, aliases, lines)] };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    // `yaml` throws (a ReferenceError) for alias bombs: few aliases that expand to many copies.
    return { diagnostics: [aliasDiagnostic(file, aliases, lines)] };
  }
  return { source: { file, text, doc, lines, value }, diagnostics };
}

/** Alias expansions a pathway may use: enough to share a block, too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

interface AliasScan {
  count: number;
  first?: Alias;
  /** The first alias with no anchor of its name before it (where `Alias.resolve` finds none). */
  dangling?: Alias;
}

/** The document's aliases in one walk (`Alias.resolve` walks the whole document on every call). */
function scanAliases(doc: Document): AliasScan {
  const scan: AliasScan = { count: 0 };
  const anchors = new Set<string>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        scan.count++;
        scan.first ??= node;
        if (!scan.dangling && !anchors.has(node.source)) scan.dangling = node;
      } else if (node.anchor) anchors.add(node.anchor);
    },
  });
  return scan;
}

/** Where and why the document's aliases could not be expanded. */
function aliasDiagnostic(file: string, { first, dangling }: AliasScan, lines: LineCounter): Diagnostic {
  const at = lines.linePos((dangling ?? first)?.range?.[0] ?? 0);
  const message = dangling
    ? `YAML: alias *${dangling.source} refers to no anchor &${dangling.source} defined before it`
    : `YAML: the aliases expand to too much data (more than ${MAX_ALIAS_COUNT} expansions); write the values out or use fewer aliases`;
  return { file, line: at.line, col: at.col, rule: 'yaml-alias', message };
}

/**
 * `yaml` reports an over-indented key at the end of the line above it (it reads the key as the
 * continuation of that line's value). Find the over-indented line itself.
 */
function overIndentedLine(text: string, errorLine: number): { line: number; col: number } | null {
  const all = text.split('\n');
  const indent = (l: string) => l.length - l.trimStart().length;
  const base = all[errorLine - 1];
  if (base === undefined) return null;
  for (let i = errorLine; i < all.length; i++) {
    const l = all[i]!;
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
    const baseIndent = indent(base.replace(/^(\s*)- /, '$1  '));
    return indent(l) > baseIndent ? { line: i + 1, col: indent(l) + 1 } : null;
  }
  return null;
}

/** An unclosed quote is reported by `yaml` at the end of the input; point at the opening quote. */
function syntaxErrorOffset(text: string, code: string, message: string, pos: number): number {
  if (code === 'MISSING_CHAR' && /quote/i.test(message)) {
    const quote = message.includes('"') ? '"' : "'";
    const open = text.lastIndexOf(quote, Math.max(0, pos - 1));
    if (open >= 0) return open;
  }
  return Math.min(pos, text.length);
}

export interface Position {
  line: number;
  col: number;
}

/** Finds positions of data paths in a source. */
export class Locator {
  constructor(private readonly source: Source) {}

  get file(): string {
    return this.source.file;
  }

  /**
   * Position of the value at `path` (or of its key with `key: true`). A path that does not exist
   * resolves to its deepest existing parent. `offset` moves into a one-line scalar's text.
   */
  position(path: Path, opts: { key?: boolean; offset?: number } = {}): Position {
    const { node, pair, complete } = this.find(path);
    let start = 0;
    if (opts.key && complete && pair && isNodeWithRange(pair.key)) start = pair.key.range[0];
    else if (node && node.range) {
      start = node.range[0];
      if (complete && opts.offset !== undefined && isScalar(node)) {
        if (node.type === 'PLAIN') start += opts.offset;
        else if (node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') start += 1 + opts.offset;
      }
    }
    return this.source.lines.linePos(start);
  }

  private find(path: Path): { node?: Node; pair?: Pair; complete: boolean } {
    let node = this.source.doc.contents as Node | null;
    let pair: Pair | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const found = node.items.find((p) => isPair(p) && keyOf(p) === String(seg)) as Pair | undefined;
        if (!found) return { node, complete: false };
        pair = found;
        node = (found.value as Node | null) ?? (found.key as Node);
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
        pair = undefined;
        node = node.items[seg] as Node;
      } else {
        return node ? { node, complete: false } : { complete: false };
      }
    }
    return node ? (pair ? { node, pair, complete: true } : { node, complete: true }) : { complete: false };
  }
}

function keyOf(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function isNodeWithRange(value: unknown): value is Node & { range: [number, number, number] } {
  return !!value && typeof value === 'object' && 'range' in value && Array.isArray((value as Node).range);
}
