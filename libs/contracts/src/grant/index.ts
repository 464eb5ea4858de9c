export * from './grant.events';
export * from './grant.upcasters';
