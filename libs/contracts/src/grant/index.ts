export * from './grant.events';
