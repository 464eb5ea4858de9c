import { SERVICES } from '@peil/platform/config';
import { PREFIX_SERVICES, resolveRoute } from './service-routes';

describe('resolveRoute', () => {
  it('routes /v1/<prefix>/... to the service of the prefix, query or not', () => {
    expect(resolveRoute('/v1/enrolment/events')).toEqual({ kind: 'service', service: 'enrolment' });
    expect(resolveRoute('/v1/enrolment/households/HH%2F7?x=1')).toEqual({ kind: 'service', service: 'enrolment' });
    expect(resolveRoute('/v1/ledger')).toEqual({ kind: 'service', service: 'ledger' });
    expect(resolveRoute('/v1/ledger?after=1')).toEqual({ kind: 'service', service: 'ledger' });
    expect(resolveRoute('/v1/ledger/access-log?after=0&limit=10')).toEqual({ kind: 'service', service: 'ledger' });
    expect(resolveRoute('/v1/ledger/access-log/verify')).toEqual({ kind: 'service', service: 'ledger' });
  });

  it('answers unknown for prefixes nobody owns, other versions, odd spellings and prototype names', () => {
    for (const target of ['/v1/nothing/x', '/v2/enrolment/events', '/', '/v1', '/v1/', '/v1/Enrolment/events', '/v1/%65nrolment/x', '/v1/constructor/x', '/v1/__proto__/x', '/v1enrolment']) {
      expect(resolveRoute(target).kind).toBe('unknown');
    }
  });

  it('answers unknown for a mapped prefix whose service is not running in SERVICES', () => {
    const absent = Object.entries(PREFIX_SERVICES).filter(([, service]) => !Object.hasOwn(SERVICES, service));
    for (const [prefix] of absent) expect(resolveRoute(`/v1/${prefix}/events`)).toEqual({ kind: 'unknown', prefix });
  });

  it('maps reports to the reporting service and covers every public context', () => {
    expect(PREFIX_SERVICES.reports).toBe('reporting');
    expect(Object.keys(PREFIX_SERVICES).sort()).toEqual(
      ['asset-transfer', 'assessment', 'enrolment', 'evaluation', 'grant', 'ledger', 'reports', 'training'].sort(),
    );
  });

  it('refuses dot segments, plain or encoded', () => {
    for (const target of ['/v1/enrolment/../ledger/verify', '/v1/enrolment/%2e%2E/ledger', '/v1/enrolment/./events', '/v1/ledger/streams/..']) {
      expect(resolveRoute(target)).toEqual({ kind: 'invalid_path' });
    }
    expect(resolveRoute('/v1/ledger/streams/a..b').kind).toBe('service');
  });
});
