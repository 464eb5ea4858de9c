export * from './submission.schema';
export * from './submission-processor';
export * from './parse-batch';
export * from './decision-from';
