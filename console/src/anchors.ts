/** An anchor of a pathway as GET /v1/pathways/:id describes it. */
export interface AnchorInfo {
  type: 'date' | 'datetime';
  required: boolean;
  correctable: boolean;
  derived: boolean;
  title?: string;
}

/**
 * The anchors staff give (at enrolment, or to preview a program): required ones first, then
 * optional ones; a derived anchor only when it may be given instead (an EDD dated by ultrasound).
 */
export function givenAnchors(anchors: Record<string, AnchorInfo>): [string, AnchorInfo][] {
  return Object.entries(anchors)
    .filter(([, a]) => !a.derived || a.correctable)
    .sort(([, a], [, b]) => Number(b.required) - Number(a.required));
}
