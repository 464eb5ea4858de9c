export * from './decider-spec';
export * from './system';
