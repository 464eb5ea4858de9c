export * from './pack-writer';
export * from './pack-verifier';
export * from './verify-pack-file';
