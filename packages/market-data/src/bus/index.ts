export * from './types.ts';
export { MemoryTickBus } from './memory.ts';
export { PgNotifyPublisher, PgNotifySubscriber, TICK_CHANNEL, encodeBatches } from './pg-notify.ts';
