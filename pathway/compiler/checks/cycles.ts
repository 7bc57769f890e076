/**
 * Dependency cycles: a derived anchor that derives from itself through others, a step timed from
 * a step that is (through others) timed from it, or steps whose rules trigger each other.
 */
import { isRaw, strList, type Analysis } from '../analysis.ts';
import type { Path } from '../source.ts';

interface Edge {
  to: string;
  path: Path;
}

/** Reports each cycle once, at the reference that leaves its first element. */
export function checkCycles(a: Analysis): void {
  const graph = new Map<string, Edge[]>();
  const order: string[] = [];
  const node = (n: string) => {
    if (!graph.has(n)) {
      graph.set(n, []);
      order.push(n);
    }
    return graph.get(n)!;
  };
  for (const anchor of a.draft.anchors) node(`anchor '${anchor.name}'`);
  for (const step of a.draft.steps) if (step.id) node(`step '${step.id}'`);
  for (const [key, ref] of a.refs) {
    const path = JSON.parse(key) as Path;
    const owner = ownerOf(a, path);
    if (!owner) continue;
    if (ref.base === 'anchor') node(owner).push({ to: `anchor '${ref.anchor}'`, path });
    else if (ref.base === 'done' || ref.base === 'data') node(owner).push({ to: `step '${ref.step}'`, path });
  }
  for (const step of a.draft.steps) {
    const rules = Array.isArray(step.def['rules']) ? step.def['rules'] : [];
    rules.forEach((rule, i) => {
      if (!isRaw(rule) || !step.id) return;
      for (const t of strList(rule, 'triggers')) {
        if (t.value !== step.id && graph.has(`step '${t.value}'`)) {
          node(`step '${t.value}'`).push({ to: `step '${step.id}'`, path: [...step.path, 'rules', i, 'triggers', t.index] });
        }
      }
    });
  }
  const reported = new Set<string>();
  for (const start of order) {
    if (reported.has(start)) continue;
    const cycle = findCycle(graph, start);
    if (!cycle) continue;
    cycle.nodes.forEach((n) => reported.add(n));
    a.report('dependency-cycle', `dependency cycle: ${[...cycle.nodes, start].join(' → ')}`, cycle.firstEdge.path);
  }
}

function ownerOf(a: Analysis, path: Path): string | undefined {
  if (path[0] === 'anchors' && typeof path[1] === 'string') return `anchor '${path[1]}'`;
  if (path[0] === 'steps' && typeof path[1] === 'number') {
    const id = a.draft.steps.find((s) => s.path[1] === path[1])?.id;
    return id ? `step '${id}'` : undefined;
  }
  return undefined;
}

/** The shortest path from `start` back to itself, if any. */
function findCycle(graph: Map<string, Edge[]>, start: string): { nodes: string[]; firstEdge: Edge } | undefined {
  const prev = new Map<string, { from: string; edge: Edge }>();
  const queue: string[] = [];
  for (const edge of graph.get(start) ?? []) {
    if (edge.to === start) return { nodes: [start], firstEdge: edge };
    if (!prev.has(edge.to)) {
      prev.set(edge.to, { from: start, edge });
      queue.push(edge.to);
    }
  }
  while (queue.length) {
    const n = queue.shift()!;
    for (const edge of graph.get(n) ?? []) {
      if (edge.to === start) {
        const nodes = [n];
        let cur = n;
        while (prev.get(cur)!.from !== start) {
          cur = prev.get(cur)!.from;
          nodes.unshift(cur);
        }
        return { nodes: [start, ...nodes], firstEdge: prev.get(cur)!.edge };
      }
      if (!prev.has(edge.to)) {
        prev.set(edge.to, { from: n, edge });
        queue.push(edge.to);
      }
    }
  }
  return undefined;
}
