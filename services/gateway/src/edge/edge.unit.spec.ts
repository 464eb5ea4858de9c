import { RateLimiter } from '@peil/platform/http';
import { RouteTemplates } from '@peil/platform/auth';

describe('RateLimiter', () => {
  it('allows a burst up to the limit, then answers how long to wait, and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter(10, () => now);
    for (let i = 0; i < 10; i++) expect(limiter.take('10.0.0.1')).toBeNull();
    expect(limiter.take('10.0.0.1')).toBe(6); // one token every 6 s
    expect(limiter.take('10.0.0.2')).toBeNull(); // another key has its own bucket
    now += 6_000;
    expect(limiter.take('10.0.0.1')).toBeNull();
    expect(limiter.take('10.0.0.1')).not.toBeNull();
  });

  it('is off at 0', () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('k')).toBeNull();
  });
});

describe('RouteTemplates', () => {
  const routes = new RouteTemplates({
    '/v1/enrolment/events': { post: {} },
    '/v1/enrolment/households/{householdId}': { get: {} },
    '/v1/ledger/checkpoint/key': { get: {} },
    '/v1/ledger/checkpoint/{x}': { get: {} },
  });

  it('names a raw path by its template, never with the ids it holds', () => {
    expect(routes.match('/v1/enrolment/households/HH-123?x=1')?.template).toBe('/v1/enrolment/households/{householdId}');
    expect(routes.match('/v1/enrolment/households/HH-123/more')).toBeUndefined();
    expect(routes.match('/v1/ledger/checkpoint/key')?.template).toBe('/v1/ledger/checkpoint/key');
  });

  it('knows the methods of each route', () => {
    expect([...routes.match('/v1/enrolment/events')!.methods]).toEqual(['POST']);
  });
});
