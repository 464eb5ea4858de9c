import { resolve } from 'node:path';
import { z } from 'zod';
import { intVar, loadConfig, stringVar } from '@peil/config';

/** Every service process of the embedded profile, with its offset from PEIL_INTERNAL_PORT_BASE. */
export const SERVICES = {
  enrolment: 1,
  ledger: 2,
  grant: 3,
  assessment: 4,
  'asset-transfer': 5,
  training: 6,
  evaluation: 7,
  reporting: 8,
} as const;
export type ServiceName = keyof typeof SERVICES;

const platformSchema = z.object({
  PEIL_DATA_DIR: stringVar('./data'),
  PEIL_PORT: intVar(8080, 0, 65535),
  PEIL_HOST: stringVar('127.0.0.1'),
  // Services listen on loopback ports base+1, base+2… and only answer requests that carry the gateway's token.
  PEIL_INTERNAL_PORT_BASE: intVar(18080, 1024, 65000),
  PEIL_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).optional().default('log'),
});

export type PlatformConfig = z.infer<typeof platformSchema> & { dataDir: string };

export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const config = loadConfig(platformSchema, env);
  return { ...config, dataDir: resolve(config.PEIL_DATA_DIR) };
}

export function servicePort(config: PlatformConfig, name: ServiceName): number {
  return config.PEIL_INTERNAL_PORT_BASE + SERVICES[name];
}

export function serviceUrl(config: PlatformConfig, name: ServiceName): string {
  return `http://127.0.0.1:${servicePort(config, name)}`;
}
