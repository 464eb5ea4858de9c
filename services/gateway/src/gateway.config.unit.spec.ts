import { ConfigError } from '@peil/config';
import { loadGatewayConfig } from './gateway.config';

describe('loadGatewayConfig', () => {
  it('has the documented defaults', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ PEIL_HOST: '127.0.0.1', PEIL_PORT: 8080, maxBodyBytes: 8 * 1024 * 1024, apiKeysJson: undefined, apiKeysFile: undefined });
    expect(config.connections).toEqual({ maxConnections: 512, maxPerClient: 64, idleTimeoutMs: 10_000, headersTimeoutMs: 10_000 });
  });

  it('reads the connection limits and refuses a header timeout the request timeout could not cover', () => {
    const config = loadGatewayConfig({ PEIL_MAX_CONNECTIONS: '100', PEIL_MAX_CONNECTIONS_PER_CLIENT: '10', PEIL_IDLE_TIMEOUT_MS: '2000', PEIL_HEADERS_TIMEOUT_MS: '3000' });
    expect(config.connections).toEqual({ maxConnections: 100, maxPerClient: 10, idleTimeoutMs: 2_000, headersTimeoutMs: 3_000 });
    expect(() => loadGatewayConfig({ PEIL_HEADERS_TIMEOUT_MS: '600000' })).toThrow(/PEIL_HEADERS_TIMEOUT_MS/);
    expect(() => loadGatewayConfig({ PEIL_MAX_CONNECTIONS: '0' })).toThrow(/PEIL_MAX_CONNECTIONS/);
  });

  it('reads PEIL_MAX_BODY_BYTES and resolves PEIL_API_KEYS_FILE', () => {
    const config = loadGatewayConfig({ PEIL_MAX_BODY_BYTES: '65536', PEIL_API_KEYS_FILE: 'conf/keys.json' });
    expect(config.maxBodyBytes).toBe(65536);
    expect(config.apiKeysFile).toMatch(/^\/.*conf\/keys\.json$/);
  });

  it('names every bad variable, platform and gateway alike, without their values', () => {
    let error: unknown;
    try {
      loadGatewayConfig({ PEIL_MAX_BODY_BYTES: 'lots', PEIL_PORT: '99999' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PEIL_MAX_BODY_BYTES: must be an integer/);
    expect(message).toMatch(/PEIL_PORT: must be an integer/);
    expect(message).not.toContain('lots');
  });
});
