export * from './error-body';
export * from './http-exception.filter';
export * from './json-body';
export * from './rate-limiter';
export * from './query';
export * from './internal-client';
