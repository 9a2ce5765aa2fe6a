export type * from './types.ts';
export * from './live/index.ts';
export * from './simulator/index.ts';
export * from './candles/index.ts';
export * from './replay/index.ts';
export * from './bus/index.ts';
export * from './feed/index.ts';
