export * from './training.events';
