export * from './factories.ts';
export * from './consistency.ts';
export * from './trading.ts';
