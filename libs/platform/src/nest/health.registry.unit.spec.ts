import { HealthRegistry, healthReason } from './health.registry';

describe('HealthRegistry', () => {
  it('is ok with every component up, and lists them in registration order', async () => {
    const health = new HealthRegistry();
    health.register('event-store', async () => undefined);
    health.register('relay', async () => undefined);
    await expect(health.report()).resolves.toEqual({
      ok: true,
      components: [
        { name: 'event-store', ok: true },
        { name: 'relay', ok: true },
      ],
    });
  });

  it('names the component that is down with its reason, whether the check rejects or throws', async () => {
    const health = new HealthRegistry();
    health.register('event-store', async () => undefined);
    health.register('relay', async () => {
      throw new Error('broker unreachable (ECONNREFUSED); lag 3 events');
    });
    health.register('read-store', () => {
      throw new Error('not connected');
    });
    const report = await health.report();
    expect(report.ok).toBe(false);
    expect(report.components).toEqual([
      { name: 'event-store', ok: true },
      { name: 'relay', ok: false, error: 'broker unreachable (ECONNREFUSED); lag 3 events' },
      { name: 'read-store', ok: false, error: 'not connected' },
    ]);
  });

  it('bounds a hung check by its timeout instead of hanging', async () => {
    const health = new HealthRegistry(50);
    health.register('event-store', () => new Promise<void>(() => undefined));
    const started = Date.now();
    const report = await health.report();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report.components).toEqual([{ name: 'event-store', ok: false, error: 'no answer within 50 ms' }]);
  });

  it('refuses a name registered twice and names that are not kebab-case', () => {
    const health = new HealthRegistry();
    health.register('event-store', async () => undefined);
    expect(() => health.register('event-store', async () => undefined)).toThrow(/registered twice/);
    expect(() => health.register('Event Store', async () => undefined)).toThrow(/kebab-case/);
  });
});

describe('healthReason (shown on an open route)', () => {
  it('keeps the first line and removes credentials from URLs and secret-looking parameters', () => {
    const reason = healthReason(new Error('connect to esdb://admin:changeit@db:2113?tls=false&password=hunter2 failed\n    at stack'));
    expect(reason).toBe('connect to esdb://***@db:2113?tls=false&password=*** failed');
    expect(healthReason(new Error('mongodb://u:p@m1,m2/x?replicaSet=rs0: timed out'))).toBe('mongodb://***@m1,m2/x?replicaSet=rs0: timed out');
  });

  it('is short, and says something even for an empty rejection', () => {
    expect(healthReason(new Error('x'.repeat(1_000)))).toHaveLength(200);
    expect(healthReason(new Error(''))).toBe('unknown error');
    expect(healthReason('plain string')).toBe('plain string');
  });
});
