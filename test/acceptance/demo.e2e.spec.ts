import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { toUsdMinor } from '@peil/contracts';
import { get, removeDir, repoRoot, startSystem, type RunningSystem } from '@peil/testing';
import { generatePilot } from '../../scripts/demo/pilot';
import { head } from './programme';

/**
 * `npx peil-ledger demo` as a newcomer runs it against `npm start`: a small pilot posted through the
 * public API with the keys of the data dir, reflected in the donor's reports; run again, every event
 * is answered duplicate and the ledger does not move.
 */
jest.setTimeout(600_000);

const HOUSEHOLDS = 30;

function demo(system: RunningSystem, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    // The base URL without /v1, as a user types it; the keys come from PEIL_DATA_DIR.
    const url = system.baseUrl.replace(/\/v1$/, '');
    execFile(process.execPath, [join(repoRoot, 'bin', 'peil-ledger.js'), 'demo', '--url', url, ...args], { env: { ...process.env, PEIL_DATA_DIR: system.dataDir }, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** What the grant should show as spent, from the pilot's own events: expenditures less reversals, deliveries, paid sessions. */
function expectedSpentMinor(pilot: ReturnType<typeof generatePilot>): number {
  const events = pilot.submissions.flatMap((s) => s.events);
  const usd = (d: Record<string, any>, field: string) => toUsdMinor(d[field], d.currency, d.fxRateToUsd);
  const recorded = new Map(events.filter((e) => e.type === 'ExpenditureRecorded').map((e) => [e.data.expenditureId as string, usd(e.data, 'amountMinor')]));
  const reversed = events.filter((e) => e.type === 'ExpenditureReversed').reduce((s, e) => s + recorded.get(e.data.expenditureId as string)!, 0);
  const deliveries = events.filter((e) => e.type === 'AssetDelivered').reduce((s, e) => s + usd(e.data, 'unitCostMinor') * (e.data.quantity as number), 0);
  const sessions = events.filter((e) => e.type === 'TrainingSessionHeld' && e.data.costMinor !== undefined).reduce((s, e) => s + usd(e.data, 'costMinor'), 0);
  return [...recorded.values()].reduce((s, v) => s + v, 0) - reversed + deliveries + sessions;
}

describe('npm run demo', () => {
  let system: RunningSystem;
  const pilot = generatePilot({ seed: 'e2e', households: HOUSEHOLDS });

  beforeAll(async () => {
    // No time-driven checkpoint during the test: the ledger head moves only when the demo adds events.
    system = await startSystem({ env: { PEIL_CHECKPOINT_INTERVAL_S: '86400' }, timeoutMs: 300_000 });
  });
  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  it('posts the pilot through the API, the reports reflect it, and a second run changes nothing', async () => {
    const first = await demo(system, ['--households', String(HOUSEHOLDS), '--seed', 'e2e', '--json']);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(first.stdout);
    expect(summary.events.total).toEqual({ accepted: pilot.events, duplicate: 0, rejected: 0 });
    expect(summary.dashboard).toBe(`${new URL(system.baseUrl).origin}/`);

    const beneficiaries = (await get(system, '/reports/beneficiaries', 'donor')).body;
    expect(beneficiaries.households.total).toBe(HOUSEHOLDS);
    expect(beneficiaries.households.byStatus.withdrawn).toBe(pilot.withdrawn);
    expect(Object.keys(beneficiaries.households.byGovernorate).length).toBeGreaterThan(1);
    const statement = (await get(system, '/reports/grant-statement?period=2026Q4', 'donor')).body;
    const grant = statement.grants.find((g: { grantId: string }) => g.grantId === pilot.grantId);
    expect(grant.amountMinor).toBe(pilot.grantAmountMinor);
    expect(grant.totals.allocationMinor).toBe(pilot.grantAmountMinor);
    expect(grant.totals.spentCumulativeMinor).toBe(expectedSpentMinor(pilot));
    expect(grant.spendingByMonth.reduce((s: number, m: { spentMinor: number }) => s + m.spentMinor, 0)).toBe(grant.totals.spentCumulativeMinor);
    expect(grant.spendingByMonth[0].month).toBe('2025-06');
    const assets = (await get(system, '/reports/asset-register', 'donor')).body;
    expect(assets.totals.deliveries).toBe(pilot.submissions.flatMap((s) => s.events).filter((e) => e.type === 'AssetDelivered').length);

    const ledgerBefore = await head(system);
    const again = await demo(system, ['--households', String(HOUSEHOLDS), '--seed', 'e2e', '--json']);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(again.stdout).events.total).toEqual({ accepted: 0, duplicate: pilot.events, rejected: 0 });
    expect(await head(system)).toBe(ledgerBefore);
  });

  it('refuses an unknown flag with the usage (exit 2), before posting anything', async () => {
    const before = await head(system);
    const run = await demo(system, ['--households', '5', '--fast']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option --fast');
    expect(await head(system)).toBe(before);
  });
});
