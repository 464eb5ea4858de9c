export * from './pack-writer';
export * from './pack-verifier';
