export * from './grant.events';
export * from './grant.upcasters';
export * from './jsdf-components';
