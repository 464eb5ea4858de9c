export * from './evaluation.events';
