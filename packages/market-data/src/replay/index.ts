export * from './csv.ts';
export * from './source.ts';
