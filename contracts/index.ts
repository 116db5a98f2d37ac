/**
 * scv-telephony-mock/contracts: the zod schemas and types of every request and response (the wire and
 * the admin API), the sequence-rule table and per-run rule levels, the scenarios, the verifier and the
 * report formats, and the fault rules.
 */
export * from './wire-schemas.ts';
export * from './admin-schemas.ts';
export * from './operations.ts';
export * from './sequence-rules.ts';
export * from './rule-settings.ts';
export * from './scenarios.ts';
export * from './scenario-verifier.ts';
export * from './resilience-checks.ts';
export * from './report-formats.ts';
export * from './junit-xml.ts';
export { isDateTime } from './formats.ts';
export * from './fault-schemas.ts';
