// @lab/contracts: browser-safe zod schemas, one definition per contract, shared by server and client.
export * from './input.ts';
export * from './roles.ts';
export * from './market.ts';
export * from './channels.ts';
export * from './figures.ts';
export * from './live.ts';
export * from './trade.ts';
