export * from './intervals.ts';
export { aggregateTrades, deriveCandles, type AggregateOptions } from './aggregate.ts';
export * from './stream.ts';
