export * from './content-digest';
export * from './field-cipher';
export * from './key-store';
export { loadMasterKey, MASTER_KEY_BYTES, MASTER_KEY_FILE } from './master-key';
export * from './personal-data';
export * from './pseudonym';
export * from './access-log';
