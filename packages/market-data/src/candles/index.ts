export * from './intervals.ts';
export {
  aggregateTrades,
  deriveCandles,
  mergeCandles,
  type AggregateOptions,
} from './aggregate.ts';
export * from './stream.ts';
