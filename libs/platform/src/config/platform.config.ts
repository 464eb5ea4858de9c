import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, intVar, loadConfig, mongoUrlVar, stringVar } from '@peil/config';

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

/** `asset-transfer` → `PEIL_SERVICE_URL_ASSET_TRANSFER`: where the others reach that service. */
export const serviceUrlVariable = (name: ServiceName): string => `PEIL_SERVICE_URL_${name.toUpperCase().replace(/-/g, '_')}`;
const SERVICE_URL_PREFIX = 'PEIL_SERVICE_URL_';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

// A host name or an IP literal, nothing else: a scheme or a port here is a mistake to stop at start.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/;
const hostVar = (def: string) =>
  stringVar(def).refine((v) => HOST.test(v), { message: 'must be a host name or an IP address (no scheme, no port)' });

const platformSchema = z.object({
  PEIL_DATA_DIR: stringVar('./data'),
  PEIL_PORT: intVar(8080, 0, 65535),
  PEIL_HOST: stringVar('127.0.0.1'),
  // Services listen on base+1, base+2… and only answer requests that carry the gateway's token.
  PEIL_INTERNAL_PORT_BASE: intVar(18080, 1024, 65000),
  // Loopback when every service runs on one machine; 0.0.0.0 when each has its own container.
  PEIL_INTERNAL_HOST: hostVar('127.0.0.1'),
  PEIL_EVENT_STORE: z.enum(['sqlite', 'esdb']).optional().default('sqlite'),
  // A connection string may carry a password: validated by shape, never echoed.
  PEIL_ESDB_URL: optionalText.refine((v) => v === undefined || /^esdb(\+discover)?:\/\/\S+$/.test(v), {
    message: 'must be an EventStoreDB connection string (esdb://host:2113?tls=false or esdb+discover://…)',
  }),
  // Where household data keys live: the data dir (embedded) or MongoDB, reachable from every host (distributed).
  PEIL_KEY_STORE: z.enum(['sqlite', 'mongo']).optional().default('sqlite'),
  // Where the personal-data access log lives: the data dir, or MongoDB when its writer and reader have no disk in common.
  PEIL_ACCESS_LOG: z.enum(['sqlite', 'mongo']).optional().default('sqlite'),
  PEIL_MONGO_URL: mongoUrlVar(),
  // Deeper request bodies are refused before parsing (a submission needs fewer than ten levels).
  PEIL_MAX_JSON_DEPTH: intVar(64, 8, 1000),
  PEIL_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).optional().default('log'),
  // JSON lines for files and log shippers; `pretty` for a person at a terminal.
  PEIL_LOG_FORMAT: z.enum(['json', 'pretty']).optional().default('json'),
  // Pause between two rounds of the integrity monitor (each verifies only what was appended since).
  PEIL_INTEGRITY_INTERVAL_MS: intVar(1000, 50, 3_600_000),
});

export type PlatformConfig = z.infer<typeof platformSchema> & {
  dataDir: string;
  /** PEIL_SERVICE_URL_<NAME> that are set, normalised (no trailing slash); the others are derived. */
  serviceUrls: Partial<Record<ServiceName, string>>;
};

export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const problems: string[] = [];
  let config: z.infer<typeof platformSchema> | undefined;
  try {
    config = loadConfig(platformSchema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.message.split('\n').slice(1).map((line) => line.trim()));
  }
  if (config?.PEIL_EVENT_STORE === 'esdb' && config.PEIL_ESDB_URL === undefined) {
    problems.push('PEIL_ESDB_URL: required when PEIL_EVENT_STORE=esdb');
  }
  for (const variable of ['PEIL_KEY_STORE', 'PEIL_ACCESS_LOG'] as const) {
    if (config?.[variable] === 'mongo' && config.PEIL_MONGO_URL === undefined) problems.push(`PEIL_MONGO_URL: required when ${variable}=mongo`);
  }
  const serviceUrls = loadServiceUrls(env, problems);
  // Every bad variable in one message, so one failed start shows them all.
  if (!config || problems.length > 0) throw new ConfigError(`invalid configuration\n  ${problems.join('\n  ')}`);
  return { ...config, dataDir: resolve(config.PEIL_DATA_DIR), serviceUrls };
}

function loadServiceUrls(env: NodeJS.ProcessEnv, problems: string[]): Partial<Record<ServiceName, string>> {
  const byVariable = new Map((Object.keys(SERVICES) as ServiceName[]).map((name) => [serviceUrlVariable(name), name]));
  const urls: Partial<Record<ServiceName, string>> = {};
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(SERVICE_URL_PREFIX) || value === undefined || value.trim() === '') continue;
    const name = byVariable.get(variable);
    if (!name) {
      // A misspelt name would otherwise leave that service silently on its default address.
      problems.push(`${variable}: no such service (known: ${[...byVariable.keys()].join(', ')})`);
      continue;
    }
    const url = parseServiceUrl(value.trim());
    if (url === undefined) problems.push(`${variable}: must be http(s)://host:port, without credentials, path or query`);
    else urls[name] = url;
  }
  return urls;
}

function parseServiceUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const plain = (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  if (!plain || url.pathname !== '/' || url.search || url.hash) return undefined;
  return url.origin;
}

export function servicePort(config: PlatformConfig, name: ServiceName): number {
  return config.PEIL_INTERNAL_PORT_BASE + SERVICES[name];
}

/**
 * Where the gateway and the other services reach a service: PEIL_SERVICE_URL_<NAME> when set (its
 * own container, e.g. http://asset-transfer:18085), else the port on the bind host — loopback when
 * the services bind to every interface.
 */
export function serviceUrl(config: PlatformConfig, name: ServiceName): string {
  const configured = config.serviceUrls[name];
  if (configured) return configured;
  const host = config.PEIL_INTERNAL_HOST;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${servicePort(config, name)}`;
}
