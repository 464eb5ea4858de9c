export * from './decider-spec';
export * from './system';
export * from './docker';
export * from './kafka-mock';
export * from './kafka-broker';
export * from './ledger-file';
export * from './counting-reads';
export * from './browser';
