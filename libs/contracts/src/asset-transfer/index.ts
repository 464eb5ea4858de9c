export * from './asset-transfer.events';
