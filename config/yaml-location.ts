import { isMap, isPair, isScalar, type Document, type LineCounter, type Node } from 'yaml';

/** A 1-based position in a source file. */
export interface SourceLocation {
  line: number;
  col: number;
}

/**
 * Where the value at `path` (JSON-pointer segments) starts in a parsed YAML document.
 * With `key: true` it points at the mapping key instead (for "unknown field" errors).
 * Falls back to the nearest existing ancestor, and to 1:1 for an empty document.
 */
export function locate(doc: Document, lines: LineCounter, path: readonly (string | number)[], key = false): SourceLocation {
  let node: unknown = doc.contents;
  let best: Node | null = (doc.contents as Node | null) ?? null;
  let keyNode: Node | null = null;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (node && typeof node === 'object' && 'items' in node) {
      const item = (node as { items: unknown[] }).items[Number(segment)];
      keyNode = null;
      if (item === undefined) break;
      node = item;
    } else {
      break;
    }
    if (node && typeof node === 'object' && 'range' in node) best = node as Node;
    else if (keyNode) best = keyNode;
  }
  const target = key && keyNode ? keyNode : best;
  const offset = target?.range?.[0] ?? 0;
  return lines.linePos(offset);
}

/** Splits an ajv instancePath ("/tls/enabled") into its segments, unescaping ~1 and ~0. */
export function pointerSegments(instancePath: string): string[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
