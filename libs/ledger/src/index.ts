export * from './core/canonical-json';
export * from './core/envelope';
export * from './core/hash-chain';
export * from './store/errors';
export * from './store/event-store.port';
export * from './sqlite/sqlite-event-store';
export * from './verify/verify-ledger';
export * from './esdb/esdb-event-store';
