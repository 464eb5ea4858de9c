export * from './grant.client';
