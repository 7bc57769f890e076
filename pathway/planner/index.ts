/**
 * The pure planner, importable from Temporal workflow code. Its import graph holds only the
 * compiled-pathway types, date math and the CEL evaluator: no Node built-ins, YAML, ajv or clock.
 */
export { plan } from './plan.ts';
export { Planner } from './planner.ts';
export { resolvedAnchors } from './anchors.ts';
export { checkBooking } from './booking.ts';
export { projectTimeline, spanOf } from './project.ts';
export type { Projection, TimelineEntry } from './project.ts';
export { formatTime, parseTime } from './time.ts';
export { isSettled } from './settled.ts';
export { scoreAnswers } from './scoring.ts';
export { expectedShape, fitsType, type ValueType } from './values.ts';
export { anchorPlausibilityProblem } from './plausibility.ts';
export type * from '../model/compiled.ts';
export type * from '../model/journey.ts';
