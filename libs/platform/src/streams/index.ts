export * from './stream-fold';
export * from './stream-state-cache';
export * from './ledger-view';
export * from './typed-fold';
export * from './published-reader';
export * from './decider-runtime';
