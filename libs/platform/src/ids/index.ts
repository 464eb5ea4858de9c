export * from './derived-event-id';
