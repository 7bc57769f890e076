/** Human labels for data paths, e.g. `['steps', 3, 'timing']` → `step 'book_nt'`. */
import type { Path } from './source.ts';

const LIST_LABELS: Record<string, string> = { steps: 'step', stages: 'stage', entitlements: 'entitlement' };
const MAP_LABELS: Record<string, string> = { anchors: 'anchor', calendar: 'calendar date', variables: 'variable', events: 'event' };

/** Names the pathway element a path points into, or '' at the top level. */
export function describePath(path: Path, root: unknown): string {
  const [top, second] = path;
  if (typeof top !== 'string') return '';
  if (LIST_LABELS[top] && typeof second === 'number') {
    const item = (root as Record<string, unknown[]> | undefined)?.[top]?.[second];
    const id = item && typeof item === 'object' ? (item as Record<string, unknown>)['id'] : undefined;
    return typeof id === 'string' ? `${LIST_LABELS[top]} '${id}'` : `${LIST_LABELS[top]} #${second + 1}`;
  }
  if (MAP_LABELS[top] && typeof second === 'string') return `${MAP_LABELS[top]} '${second}'`;
  return '';
}
