export * from './market-feed.ts';
