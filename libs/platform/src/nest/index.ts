export * from './bootstrap';
export * from './shutdown';
export * from './event-store.factory';
export * from './health.registry';
export * from './platform.module';
export * from './access-log.provider';
export * from './tokens';
