export * from './projection';
export * from './read-store.port';
export { compareIds, PROJECTIONS_META } from './read-model-names';
export * from './memory-read-store';
export * from './sqlite-read-store';
export * from './mongo-read-store';
export * from './ledger-feed';
export * from './projector';
export * from './replay';
