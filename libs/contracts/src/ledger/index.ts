export * from './ledger.events';
