export * from './integrity.status';
export * from './integrity.monitor';
export * from './integrity-write.guard';
