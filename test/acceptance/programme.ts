import { randomUUID } from 'node:crypto';
import { get, post, type RunningSystem } from '@peil/testing';
import { peilAgreement as agreement } from '@peil/testing';
import { enrolment } from './fixtures';

/** Builders for the PEIL programme's events, as NGO systems would submit them. */
export const ev = (type: string, data: Record<string, unknown>, occurredAt = '2025-10-01T09:00:00+03:00') => ({ eventId: randomUUID(), type, occurredAt, data });

const run = Date.now().toString(36);
export const uniq = (prefix: string) => `${prefix}-${run}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * The JSDF grant (the grant context's own fixture): US$2,707,000 over C1–C4 (cents). Line codes get
 * a suffix so several tests can share a ledger. C4 is one management line unless `auditLine`, which
 * keeps it as finance signed it: management, and external audits of US$100,000 (= 40 × US$2,500) on
 * a line without a purpose.
 */
export function peilGrant(suffix = uniq('g'), options: { auditLine?: boolean } = {}) {
  const code = (c: string) => `${c}-${suffix}`;
  const signed = agreement();
  const components = signed.components.map((c) => ({
    ...c,
    budgetLines:
      c.code === 'C4' && !options.auditLine
        ? [{ code: code('C4.1'), name: 'Project management and fiduciary', allocationMinor: 23_200_000, purpose: 'management' as const }]
        : c.budgetLines.map((l) => ({ ...l, code: code(l.code) })),
  }));
  const data = { ...signed, grantId: `JSDF-${suffix}`, components };
  return {
    suffix,
    code,
    data,
    lines: Object.fromEntries(components.flatMap((c) => c.budgetLines.map((l) => [l.purpose ?? l.code, l.code]))) as Record<string, string>,
    event: ev('GrantAgreementSigned', data, '2025-07-01T09:00:00+03:00'),
  };
}

/**
 * Signs a PEIL grant and returns, per purpose, the line the services charge: the first signed
 * grant's. On a shared system an earlier spec's grant may be that one, so a spec that follows what
 * a session or a delivery costs reads these lines, and compares them before and after.
 */
export async function signedGrant(system: RunningSystem): Promise<Record<string, string>> {
  await accepted(system, 'grant', [peilGrant().event], 'finance');
  const res = await get(system, '/grant/budget-lines', 'finance');
  const charged: Record<string, string> = {};
  for (const line of res.body.budgetLines as Array<{ code: string; purpose: string | null }>) if (line.purpose) charged[line.purpose] ??= line.code;
  return charged;
}

export async function accepted(system: RunningSystem, context: string, events: unknown[], role = 'ngo') {
  const res = await post(system, `/${context}/events`, { events }, role);
  if (res.status !== 200) throw new Error(`${context}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  for (const r of res.body.results) {
    if (r.status === 'rejected') throw new Error(`${context}: ${r.eventId} rejected: ${JSON.stringify(r.error)}`);
  }
  return res.body.results as Array<{ position: number; eventId: string; status: string }>;
}

export async function rejectedWith(system: RunningSystem, context: string, event: unknown, role = 'ngo'): Promise<string> {
  const res = await post(system, `/${context}/events`, { events: [event] }, role);
  const [r] = res.body.results;
  if (r.status !== 'rejected') throw new Error(`${context}: expected a rejection, got ${JSON.stringify(r)}`);
  return r.error.code;
}

export async function budgetLine(system: RunningSystem, code: string) {
  const res = await get(system, '/grant/budget-lines', 'finance');
  const lines = Array.isArray(res.body) ? res.body : res.body.budgetLines;
  const line = lines.find((l: { code: string }) => l.code === code);
  if (!line) throw new Error(`no budget line ${code} in ${JSON.stringify(res.body)}`);
  return line as { allocationMinor: number; committedMinor: number; spentMinor: number; remainingMinor: number };
}

/** An enrolled household in Tripoli with a skills profile; returns its id. */
export async function enrolledHousehold(system: RunningSystem, occurredAt = '2025-09-01T09:00:00+03:00') {
  const e = enrolment();
  e.occurredAt = occurredAt;
  await accepted(system, 'enrolment', [e]);
  const householdId = e.data.householdId;
  await accepted(system, 'assessment', [ev('SkillsProfileRecorded', { householdId, skills: ['sewing', 'embroidery'], yearsExperience: 4, preferredSector: 'tailoring' })]);
  return householdId;
}

export async function head(system: RunningSystem): Promise<number> {
  let after = 0;
  for (;;) {
    const res = await get(system, `/ledger/events?after=${after}&limit=10000`);
    const events = res.body.events as Array<{ position: number }>;
    if (events.length === 0) return after;
    after = events[events.length - 1]!.position;
    if (events.length < 10000) return after;
  }
}
