export type * from './types.ts';
export * from './live/index.ts';
