import { runMain } from '@peil/platform';
import { startGateway } from './gateway.app';
import { loadGatewayConfig } from './gateway.config';

runMain(() => startGateway(loadGatewayConfig()));
