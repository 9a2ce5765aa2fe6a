export * from './market-feed.ts';
export * from './sse-fanout.ts';
