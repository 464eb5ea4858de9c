export * from './common/primitives';
export * from './enrolment';
export * from './assessment';
export * from './asset-transfer';
export * from './training';
export * from './evaluation';
export * from './common/money';
export * from './grant';
