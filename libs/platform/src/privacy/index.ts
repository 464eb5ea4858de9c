export * from './content-digest';
export * from './field-cipher';
export * from './key-store';
export * from './master-key';
export * from './personal-data';
