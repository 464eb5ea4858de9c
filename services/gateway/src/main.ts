import { runMain } from '@peil/platform/nest';
import { startGateway } from './gateway.app';
import { loadGatewayConfig } from './gateway.config';

// async, so that a ConfigError thrown while reading the environment becomes a rejection runMain reports (exit 78).
runMain(async () => startGateway(loadGatewayConfig()));
