import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, intVar, loadConfig } from '@peil/config';
import { loadPlatformConfig, type PlatformConfig } from '@peil/platform/config';
import type { ConnectionLimits } from './http/connection-limits';

const MIB = 1024 * 1024;

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const gatewaySchema = z.object({
  // A batch of 1,000 events is well under 1 MiB; 8 MiB leaves room without letting one client fill memory downstream.
  PEIL_MAX_BODY_BYTES: intVar(8 * MIB, 1024, 1024 * MIB),
  // Parsed and validated by auth/api-keys.ts, which knows the roles; here only "is it set".
  PEIL_API_KEYS: optionalText,
  PEIL_API_KEYS_FILE: optionalText,
  // Requests per minute per API key (a token bucket: bursts up to the limit); 0 turns it off.
  PEIL_RATE_LIMIT_PER_KEY: intVar(6000, 0, 10_000_000),
  // Failed authentications per minute per client address before 429; a valid key still passes.
  PEIL_RATE_LIMIT_AUTH_FAILURES: intVar(10, 0, 1_000_000),
  // Browser origins allowed to call the API (comma-separated, exact, e.g. https://dashboard.example.org); none by default.
  PEIL_CORS_ORIGINS: optionalText,
  // Each connection is a file descriptor; these leave room under a 1,024 descriptor limit for the
  // gateway's own connections to the services. Behind a reverse proxy every client has its address.
  PEIL_MAX_CONNECTIONS: intVar(512, 1, 1_000_000),
  PEIL_MAX_CONNECTIONS_PER_CLIENT: intVar(64, 1, 1_000_000),
  PEIL_IDLE_TIMEOUT_MS: intVar(10_000, 100, 3_600_000),
  // At most 60 s: the request timeout (upstream limit + 30 s) must stay the longer one.
  PEIL_HEADERS_TIMEOUT_MS: intVar(10_000, 100, 60_000),
});

export type GatewayConfig = PlatformConfig & {
  maxBodyBytes: number;
  /** Raw JSON of PEIL_API_KEYS, if set. */
  apiKeysJson: string | undefined;
  /** Absolute path of PEIL_API_KEYS_FILE, if set. */
  apiKeysFile: string | undefined;
  /** Inactivity limit on a proxied request; a 1,000-event batch is processed one event at a time. */
  upstreamTimeoutMs: number;
  /** Per-service limit of /v1/health: a service that cannot answer a health check in 1 s is not healthy. */
  healthTimeoutMs: number;
  rateLimitPerKey: number;
  rateLimitAuthFailures: number;
  corsOrigins: readonly string[];
  /** Client connections: counts and timeouts (http/connection-limits.ts). */
  connections: Omit<ConnectionLimits, 'requestTimeoutMs'>;
};

/**
 * Platform variables plus the gateway's own. Both sets are checked before either fails, so one
 * start reports every bad variable at once.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.message.split('\n').slice(1).map((line) => line.trim()));
      return undefined;
    }
  };
  const platform = attempt(() => loadPlatformConfig(env));
  const own = attempt(() => loadConfig(gatewaySchema, env));
  if (!platform || !own) throw new ConfigError(`invalid configuration\n  ${problems.join('\n  ')}`);
  if (own.PEIL_API_KEYS !== undefined && own.PEIL_API_KEYS_FILE !== undefined) {
    // Two sources would leave a reader guessing which keys are live.
    throw new ConfigError('invalid configuration\n  PEIL_API_KEYS_FILE: set either PEIL_API_KEYS or PEIL_API_KEYS_FILE, not both');
  }
  return {
    ...platform,
    maxBodyBytes: own.PEIL_MAX_BODY_BYTES,
    apiKeysJson: own.PEIL_API_KEYS,
    apiKeysFile: own.PEIL_API_KEYS_FILE === undefined ? undefined : resolve(own.PEIL_API_KEYS_FILE),
    upstreamTimeoutMs: 60_000,
    healthTimeoutMs: 1_000,
    rateLimitPerKey: own.PEIL_RATE_LIMIT_PER_KEY,
    rateLimitAuthFailures: own.PEIL_RATE_LIMIT_AUTH_FAILURES,
    corsOrigins: parseOrigins(own.PEIL_CORS_ORIGINS),
    connections: {
      maxConnections: own.PEIL_MAX_CONNECTIONS,
      maxPerClient: own.PEIL_MAX_CONNECTIONS_PER_CLIENT,
      idleTimeoutMs: own.PEIL_IDLE_TIMEOUT_MS,
      headersTimeoutMs: own.PEIL_HEADERS_TIMEOUT_MS,
    },
  };
}

/** Exact origins (scheme://host[:port]); `*` is refused: the API carries bearer keys and personal data. */
function parseOrigins(value: string | undefined): string[] {
  if (value === undefined) return [];
  const origins = value.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const o of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new ConfigError(`invalid configuration\n  PEIL_CORS_ORIGINS: ${JSON.stringify(o)} is not an origin such as https://dashboard.example.org (no path, no wildcard)`);
  }
  return origins;
}
