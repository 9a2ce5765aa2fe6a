export * from './factories.ts';
export * from './consistency.ts';
