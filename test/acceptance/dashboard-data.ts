import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { get, repoRoot, type RunningSystem } from '@peil/testing';
import { generatePilot } from '../../scripts/demo/pilot';

/** What the browser tests need to know of the demo data they run on. */
export interface Seeded {
  /** A ledger position halfway through the asset deliveries: an earlier `asOf` with fewer of them. */
  early: number;
  /** Every name, phone, birth date, household and ESSN id of the pilot: none may reach a donor's page. */
  personal: string[];
}

const SEED = 'dashboard-e2e';

/**
 * `npm run demo` with a small caseload, exactly as a user runs it (the CLI against the running
 * system's HTTP API, with the keys of its data dir); then the generator's own events say which
 * personal data went in, and the ledger says where the deliveries are.
 */
export async function seedDemo(system: RunningSystem, households: number): Promise<Seeded> {
  const origin = system.baseUrl.replace(/\/v1$/, '');
  await promisify(execFile)(process.execPath, [join(repoRoot, 'bin', 'peil-ledger.js'), 'demo', '--url', origin, '--households', String(households), '--seed', SEED, '--json'], {
    env: { ...process.env, PEIL_DATA_DIR: system.dataDir },
  });
  const personal = new Set<string>();
  for (const submission of generatePilot({ seed: SEED, households }).submissions) {
    for (const e of submission.events) {
      if (e.type !== 'HouseholdEnrolled' && e.type !== 'ParticipantReplaced') continue;
      const p = e.data.participant as Record<string, string | undefined>;
      for (const value of [p.fullName, p.phone, p.birthDate, e.data.householdId as string, e.data.essnId as string | undefined]) if (value) personal.add(value);
    }
  }
  const deliveries: number[] = [];
  for (let after = 0; ; ) {
    const page = (await get(system, `/ledger/events?after=${after}&limit=10000`)).body.events as Array<{ position: number; type: string }>;
    for (const e of page) if (e.type === 'AssetDelivered') deliveries.push(e.position);
    if (page.length < 10000) break;
    after = page[page.length - 1]!.position;
  }
  if (deliveries.length < 2) throw new Error(`the demo delivered ${deliveries.length} assets: too few to compare an earlier position`);
  return { early: deliveries[Math.floor(deliveries.length / 2) - 1]!, personal: [...personal] };
}
