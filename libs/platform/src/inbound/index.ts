export * from './kafka-principals';
export * from './submission-message';
export * from './submission-intake';
export * from './submissions.consumer';
export * from './submissions.server';
export * from './submissions-from-env';
