import { CarepathError } from '../errors/carepath-error.ts';
import { anchorPlausibilityProblem, expectedShape, fitsType, type CompiledPathway } from '../pathway/planner/index.ts';

/**
 * Checks anchors given at enrolment against the pathway: each one declared, of its type (a valid
 * `YYYY-MM-DD` for a date, an ISO 8601 date-time for a datetime), inside its plausible window
 * around `enrolledAt` when given, every required one present. Throws `invalid-input` listing every problem.
 */
export function checkEnrollmentAnchors(pathway: CompiledPathway, anchors: Record<string, string>, enrolledAt?: string): void {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(anchors)) {
    const anchor = pathway.anchors[name];
    if (!anchor || anchor.fixed !== undefined) {
      const given = Object.entries(pathway.anchors)
        .filter(([, a]) => a.fixed === undefined)
        .map(([n]) => n);
      problems.push(
        anchor
          ? `'${name}' is a calendar date of pathway ${pathway.id} (${anchor.fixed}), not an anchor to give`
          : `pathway ${pathway.id} has no anchor '${name}' (it has ${given.join(', ')})`,
      );
      continue;
    }
    const problem = anchorValueProblem(pathway, name, value) ?? (enrolledAt ? anchorPlausibilityProblem(pathway, name, value, enrolledAt) : null);
    if (problem) problems.push(problem);
  }
  for (const [name, anchor] of Object.entries(pathway.anchors)) {
    if (anchor.required && anchors[name] === undefined) problems.push(`anchor '${name}'${anchor.title ? ` (${anchor.title})` : ''} is required`);
  }
  if (problems.length > 0) throw new CarepathError('invalid-input', `invalid anchors: ${problems.join('; ')}`, { problems });
}

/** Why a value does not fit an anchor's type, or null when it does. */
export function anchorValueProblem(pathway: CompiledPathway, name: string, value: string): string | null {
  const anchor = pathway.anchors[name]!;
  if (fitsType(anchor.type, value, pathway.timezone.offsetMinutes)) return null;
  return `anchor '${name}' is a ${anchor.type}: expected ${expectedShape(anchor.type)}, got '${value}'`;
}

/** Checks enrolment variables: declared, and of their type. */
export function checkEnrollmentVariables(pathway: CompiledPathway, variables: Record<string, boolean | number | string>): void {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    const declared = pathway.variables[name];
    if (!declared) {
      problems.push(`pathway ${pathway.id} has no variable '${name}'`);
      continue;
    }
    if (!fitsType(declared.type, value, pathway.timezone.offsetMinutes))
      problems.push(`variable '${name}' must be a ${declared.type}, got ${JSON.stringify(value)}`);
  }
  if (problems.length > 0) throw new CarepathError('invalid-input', `invalid variables: ${problems.join('; ')}`, { problems });
}
