import { ConfigError } from '@peil/config';
import { loadPlatformConfig, serviceUrl, serviceUrlVariable } from './platform.config';

const load = (env: Record<string, string>) => loadPlatformConfig({ PEIL_DATA_DIR: '/tmp/peil-config-spec', ...env });
const failure = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('platform configuration: profile and addressing', () => {
  it('defaults to the embedded profile on loopback', () => {
    const config = load({});
    expect(config.PEIL_EVENT_STORE).toBe('sqlite');
    expect(config.PEIL_INTERNAL_HOST).toBe('127.0.0.1');
    expect(serviceUrl(config, 'enrolment')).toBe('http://127.0.0.1:18081');
    expect(serviceUrl(config, 'asset-transfer')).toBe('http://127.0.0.1:18085');
  });

  it('selects EventStoreDB only with a connection string, and never prints it', () => {
    expect(failure({ PEIL_EVENT_STORE: 'esdb' })).toMatch(/PEIL_ESDB_URL: required when PEIL_EVENT_STORE=esdb/);
    const secret = 'https://admin:s3cret@db:2113';
    const message = failure({ PEIL_EVENT_STORE: 'esdb', PEIL_ESDB_URL: secret });
    expect(message).toMatch(/PEIL_ESDB_URL: must be an EventStoreDB connection string/);
    expect(message).not.toContain('s3cret');
    expect(failure({ PEIL_EVENT_STORE: 'postgres' })).toMatch(/PEIL_EVENT_STORE/);
    const config = load({ PEIL_EVENT_STORE: 'esdb', PEIL_ESDB_URL: 'esdb://eventstoredb:2113?tls=false' });
    expect(config.PEIL_ESDB_URL).toBe('esdb://eventstoredb:2113?tls=false');
  });

  it('binds where PEIL_INTERNAL_HOST says; a wildcard bind is still reached on loopback', () => {
    expect(serviceUrl(load({ PEIL_INTERNAL_HOST: '0.0.0.0' }), 'grant')).toBe('http://127.0.0.1:18083');
    expect(serviceUrl(load({ PEIL_INTERNAL_HOST: '10.0.0.7' }), 'grant')).toBe('http://10.0.0.7:18083');
    expect(serviceUrl(load({ PEIL_INTERNAL_HOST: '::1' }), 'grant')).toBe('http://[::1]:18083');
    expect(failure({ PEIL_INTERNAL_HOST: 'http://x:1' })).toMatch(/PEIL_INTERNAL_HOST: must be a host name or an IP address/);
  });

  it('reaches a service at PEIL_SERVICE_URL_<NAME> when set, normalised', () => {
    expect(serviceUrlVariable('asset-transfer')).toBe('PEIL_SERVICE_URL_ASSET_TRANSFER');
    const config = load({ PEIL_SERVICE_URL_ASSET_TRANSFER: 'http://asset-transfer:18085/', PEIL_SERVICE_URL_GRANT: ' https://grant.internal ' });
    expect(serviceUrl(config, 'asset-transfer')).toBe('http://asset-transfer:18085');
    expect(serviceUrl(config, 'grant')).toBe('https://grant.internal');
    expect(serviceUrl(config, 'enrolment')).toBe('http://127.0.0.1:18081');
  });

  it('refuses malformed service addresses and misspelt service names, all in one message', () => {
    const message = failure({
      PEIL_SERVICE_URL_GRANT: 'grant:18083',
      PEIL_SERVICE_URL_LEDGER: 'http://user:pw@ledger:18082',
      PEIL_SERVICE_URL_REPORTING: 'http://reporting:18088/v1',
      PEIL_SERVICE_URL_ASSET_TRANSFERS: 'http://x:1',
      PEIL_EVENT_STORE: 'esdb',
    });
    expect(message).toMatch(/PEIL_SERVICE_URL_GRANT: must be http\(s\):\/\/host:port/);
    expect(message).toMatch(/PEIL_SERVICE_URL_LEDGER: must be http\(s\):\/\/host:port/);
    expect(message).toMatch(/PEIL_SERVICE_URL_REPORTING: must be/);
    expect(message).toMatch(/PEIL_SERVICE_URL_ASSET_TRANSFERS: no such service/);
    expect(message).toMatch(/PEIL_ESDB_URL: required/);
    expect(message).not.toContain('pw@');
  });
});
