export * from './follow-up.recovery';
export * from './ledger-feeds.provider';
