// The benchmark bundle: the production workflows plus the hand-coded yardstick, so that both
// replay in the same worker, the same way.
export * from '../../workflows/index.ts';
export { handCodedWorkflow } from './hand-coded.ts';
export { bareWorkflow } from './bare.ts';
