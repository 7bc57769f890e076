// The workflows the carepath worker registers. Workflow code runs in Temporal's deterministic
// sandbox: it imports no Node built-ins, no I/O, no YAML or ajv, and activities as types only.
export { journeyWorkflow } from './journey.ts';
export { inquiryWorkflow } from './inquiry.ts';
export { inquiryReplyWorkflow } from './inquiry-reply.ts';
