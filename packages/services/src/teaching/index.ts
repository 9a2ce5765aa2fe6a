// Teaching with competitions (issue 18): risk-rule assignments checked while a competition runs,
// trade notes, teams, the benchmark, integrity signals and the class report.
export * from './benchmark.ts';
export * from './compliance.ts';
export * from './exports.ts';
export * from './integrity.ts';
export * from './notes.ts';
export * from './report.ts';
export * from './settings.ts';
export * from './teams.ts';
export { RULE_KINDS } from './rules/registry.ts';
export type { RuleStatus, ParamSpec } from './rules/types.ts';
