// Report engine, read-model projections and report rendering: shared by the reporting service,
// the CLI and the benches, so none of them reaches into another's internals.
export * from './engine/report-engine';
export * from './engine/read-model-integrity';
export * from './engine/household-ref';
export * from './engine/as-of-snapshots.config';
export * from './read-store/read-store.config';
export * from './reports/catalogue';
export * from './reports/iati.config';
export * from './reports/ifr.config';
