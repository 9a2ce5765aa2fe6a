export * from './config.ts';
export * from './prng.ts';
export * from './ticks.ts';
export * from './scenario.ts';
export * from './model.ts';
export * from './source.ts';
