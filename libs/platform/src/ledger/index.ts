export * from './ledger-identity';
