// Classroom competitions: a host runs a class on the main market or on a market of its own.
export * from './access.ts';
export * from './actions.ts';
export * from './board.ts';
export * from './codes.ts';
export * from './competitions.ts';
export * from './exports.ts';
export * from './lifecycle.ts';
export * from './margin-mode-rule.ts';
export * from './participants.ts';
export * from './rules.ts';
export * from './settings.ts';
export * from './snapshots.ts';
export * from './standings.ts';
export * from './views.ts';
