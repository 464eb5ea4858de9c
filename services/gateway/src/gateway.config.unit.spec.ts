import { ConfigError } from '@peil/platform';
import { loadGatewayConfig } from './gateway.config';

describe('loadGatewayConfig', () => {
  it('has the documented defaults', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ PEIL_HOST: '127.0.0.1', PEIL_PORT: 8080, maxBodyBytes: 8 * 1024 * 1024, apiKeysJson: undefined, apiKeysFile: undefined });
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
