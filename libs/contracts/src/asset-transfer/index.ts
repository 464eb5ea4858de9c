export * from './asset-transfer.events';
export * from './catalogue.view';
