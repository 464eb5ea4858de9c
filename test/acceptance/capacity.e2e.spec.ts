import { get, post, removeDir, startSystem, type RunningSystem } from '@peil/testing';
import { enrolment } from './fixtures';

describe('programme capacity under concurrent submissions', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ env: { PEIL_HOUSEHOLD_CAPACITY: '10' } });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  it('accepts exactly 10 of 40 enrolments posted by 4 parallel clients', async () => {
    const clients = Array.from({ length: 4 }, () => Array.from({ length: 10 }, () => enrolment()));
    // Each client posts its ten one request at a time, all four clients at once.
    const results = await Promise.all(
      clients.map(async (events) => {
        const out = [];
        for (const event of events) out.push(...(await post(system, '/enrolment/events', { events: [event] })).body.results);
        return out;
      }),
    );
    const all = results.flat();
    expect(all).toHaveLength(40);
    expect(all.filter((r) => r.status === 'accepted')).toHaveLength(10);
    const refused = all.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(30);
    expect(new Set(refused.map((r) => r.error.code))).toEqual(new Set(['capacity_reached']));

    const ledger = await get(system, '/ledger/events?limit=1000');
    expect(ledger.body.events.filter((e: { type: string }) => e.type === 'HouseholdEnrolled')).toHaveLength(10);
    expect((await get(system, '/ledger/verify')).body.ok).toBe(true);
  });

  it('refuses a bad configuration at start, naming the variable', async () => {
    // The whole system stops (enrolment exits 78, EX_CONFIG, and the supervisor stops the rest): the
    // start fails because it exited, not because it never became ready. The deadline only bounds a
    // hang, so it is as generous as any start's: a loaded machine is slow.
    await expect(startSystem({ env: { PEIL_HOUSEHOLD_CAPACITY: 'lots' }, timeoutMs: 90_000 })).rejects.toThrow(/system exited during start[\s\S]*PEIL_HOUSEHOLD_CAPACITY/);
  }, 120_000);
});
