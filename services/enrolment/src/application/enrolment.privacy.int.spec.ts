import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { householdStreamId } from '@peil/contracts';
import { SqliteEventStore, verifyLedger } from '@peil/ledger';
import { type Principal } from '@peil/platform/auth';
import { ManualClock } from '@peil/platform/clock';
import { openSqliteAccessLog, ERASED, openSqliteKeyStore, PersonalDataProtector, contentDigest, isEncrypted } from '@peil/platform/privacy';
import { DEFAULT_ENROLMENT_POLICY } from '../domain/enrolment-policy';
import { EnrolmentSubmissions } from './enrolment.handlers';
import { EssnPseudonyms } from './essn-pseudonyms';
import { HouseholdQuery } from './household.query';
import { HouseholdShredder } from './household-shredder';
import { ProgrammeRegistry } from './programme-registry';

const ngo: Principal = { role: 'ngo', name: 'ngo:0a1b2c3d4e', requestId: 'req-ngo', recordAs: { keyId: '0a1b2c3d4e', role: 'ngo', via: 'http' } };
const supervisor: Principal = { role: 'supervisor', name: 'supervisor:5f6e7d8c9b', requestId: 'req-sup', recordAs: { keyId: '5f6e7d8c9b', role: 'supervisor', via: 'http' } };
const auditor: Principal = { role: 'auditor', name: 'auditor:1234567890', requestId: 'req-aud', recordAs: { keyId: '1234567890', role: 'auditor', via: 'http' } };
const AT = '2026-03-01T09:00:00+02:00';

const enrolment = (householdId: string, essnId: string, fullName = 'Rima Haddad') => ({
  eventId: randomUUID(),
  type: 'HouseholdEnrolled',
  occurredAt: AT,
  data: {
    householdId,
    essnId,
    governorate: 'North',
    district: 'Tripoli',
    sdcId: 'SDC-TRI-01',
    participant: { participantId: `P-${householdId}`, fullName, sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary' },
    consent: true,
  },
});
const erasure = (householdId: string) => ({
  eventId: randomUUID(),
  type: 'HouseholdPersonalDataErased',
  occurredAt: AT,
  data: { householdId, reason: 'data-subject request DSR-2026-014', requestedBy: 'programme supervisor' },
});
const replacement = (householdId: string) => ({
  eventId: randomUUID(),
  type: 'ParticipantReplaced',
  occurredAt: AT,
  data: {
    householdId,
    reason: 'illness',
    participant: { participantId: `P2-${householdId}`, fullName: 'Sami Haddad', sex: 'M', birthDate: '1992-02-02', educationLevel: 'primary' },
  },
});

/** The enrolment context wired by hand on real stores in a temp data dir, as the Nest module wires it. */
async function context(dir: string) {
  const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  const keys = await openSqliteKeyStore(dir, master, { clock });
  const personalData = new PersonalDataProtector(keys);
  const accessLog = openSqliteAccessLog(dir, clock);
  const pseudonyms = new EssnPseudonyms(keys);
  const registry = new ProgrammeRegistry(store, pseudonyms);
  const shredder = new HouseholdShredder(keys, clock);
  const submissions = new EnrolmentSubmissions(store, clock, keys.digestKey(), personalData, keys, DEFAULT_ENROLMENT_POLICY, registry, pseudonyms, shredder);
  const query = new HouseholdQuery(submissions, personalData, accessLog, shredder);
  const submit = async (event: unknown, principal: Principal = ngo) => (await submissions.processor.processBatch([event], principal))[0]!;
  const close = async () => {
    await accessLog.close();
    await keys.close();
    await store.close();
  };
  return { clock, store, keys, personalData, accessLog, pseudonyms, query, submit, close };
}

const master = randomBytes(32);
let dir: string;
let ctx: Awaited<ReturnType<typeof context>>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peil-enrolment-privacy-'));
  ctx = await context(dir);
});
afterEach(async () => {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
});

const dataDirBytes = () => Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));

describe('ESSN id at rest', () => {
  it('is stored encrypted with its keyed pseudonym beside it, and shown in clear only to roles that may see it', async () => {
    expect(await ctx.submit(enrolment('HH-1', 'ESSN-44120937'))).toMatchObject({ status: 'accepted' });
    const [stored] = await ctx.store.readStream(householdStreamId('HH-1'));
    expect(isEncrypted(stored!.data.essnId)).toBe(true);
    expect(stored!.data.essnPseudonym).toBe(ctx.pseudonyms.of('ESSN-44120937'));
    await ctx.store.close();
    await ctx.keys.close();
    expect(dataDirBytes().includes('ESSN-44120937')).toBe(false);
    ctx = await context(dir);

    expect(await ctx.query.get('HH-1', ngo)).toMatchObject({ essnId: 'ESSN-44120937', participant: { fullName: 'Rima Haddad' } });
    expect(await ctx.query.get('HH-1', auditor)).toMatchObject({ essnId: '[redacted]', participant: { fullName: '[redacted]' } });
  });

  it('is enrolled once: a second household with the same ESSN id is refused on the pseudonym', async () => {
    await ctx.submit(enrolment('HH-1', 'ESSN-44120937'));
    expect(await ctx.submit(enrolment('HH-2', 'ESSN-44120937'))).toMatchObject({ status: 'rejected', error: { code: 'essn_already_enrolled', path: 'data.essnId' } });
    expect(await ctx.submit(enrolment('HH-3', 'ESSN-44120938'))).toMatchObject({ status: 'accepted' });
  });

  it('in an event recorded before pseudonyms (plain essnId) still folds, is shown, and still counts for uniqueness', async () => {
    // As the previous version wrote it: participant encrypted, essnId in clear, no essnPseudonym.
    const legacy = enrolment('HH-OLD', 'ESSN-10000001');
    const data = await ctx.personalData.protect('HH-OLD', legacy.data, ['participant.fullName', 'participant.phone', 'participant.birthDate']);
    await ctx.store.append(householdStreamId('HH-OLD'), [{
      eventId: legacy.eventId, type: 'HouseholdEnrolled', schemaVersion: 1, occurredAt: AT, recordedAt: '2026-02-01T00:00:00.000Z',
      source: 'rmf-mis', actor: 'ngo:old', correlationId: legacy.eventId, causationId: null, data,
      contentDigest: contentDigest(ctx.keys.digestKey(), { type: legacy.type, occurredAt: AT, data: legacy.data }),
    }], 'no_stream');
    ctx = (await ctx.close(), await context(dir)); // a fresh process: the programme view is rebuilt from the ledger

    expect(await ctx.submit(enrolment('HH-NEW', 'ESSN-10000001'))).toMatchObject({ status: 'rejected', error: { code: 'essn_already_enrolled' } });
    expect(await ctx.query.get('HH-OLD', ngo)).toMatchObject({ status: 'active', essnId: 'ESSN-10000001', participant: { fullName: 'Rima Haddad' } });
  });
});

describe('personal-data access log', () => {
  it('records a decrypting read (who, request, household, fields) before answering, and no read that decrypts nothing', async () => {
    await ctx.submit(enrolment('HH-1', 'ESSN-1'));
    ctx.clock.advance(5 * 60_000);
    await ctx.query.get('HH-1', ngo);
    await ctx.query.get('HH-1', auditor); // redacted: nothing decrypted
    expect(await ctx.accessLog.page(0, 10)).toEqual([expect.objectContaining({
      seq: 1,
      at: '2026-03-01T08:05:00.000Z',
      principal: 'ngo:0a1b2c3d4e',
      role: 'ngo',
      requestId: 'req-ngo',
      householdId: 'HH-1',
      fields: ['essnId', 'participant.fullName', 'participant.birthDate'],
    })]);
  });

  it('fails the read when the entry cannot be written, so no decryption goes unrecorded', async () => {
    await ctx.submit(enrolment('HH-1', 'ESSN-1'));
    await ctx.accessLog.close();
    await expect(ctx.query.get('HH-1', ngo)).rejects.toThrow(/not open/);
  });
});

describe('erasure (crypto-shredding)', () => {
  it('is for supervisor and admin only, even on the route ngo writes to', async () => {
    await ctx.submit(enrolment('HH-1', 'ESSN-1'));
    expect(await ctx.submit(erasure('HH-1'), ngo)).toMatchObject({ status: 'rejected', error: { code: 'forbidden', path: 'type' } });
    expect(await ctx.submit(enrolment('HH-2', 'ESSN-2'), supervisor)).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    expect((await ctx.keys.lookupKey('HH-1')).status).toBe('active');
  });

  it('destroys the data key; reads show every personal field as erased; the ledger verifies; no new participant; idempotent', async () => {
    await ctx.submit(enrolment('HH-1', 'ESSN-1'));
    const erase = erasure('HH-1');
    expect(await ctx.submit(erase, supervisor)).toMatchObject({ status: 'accepted', revision: 1 });
    expect((await ctx.keys.lookupKey('HH-1'))).toEqual({ status: 'destroyed', destroyedAt: '2026-03-01T08:00:00.000Z' });

    const shown = await ctx.query.get('HH-1', ngo);
    expect(shown).toMatchObject({
      essnId: ERASED,
      participant: { participantId: 'P-HH-1', fullName: ERASED, birthDate: ERASED, sex: 'F' },
      personalDataErased: { at: AT, reason: 'data-subject request DSR-2026-014', requestedBy: 'programme supervisor' },
    });
    expect(await ctx.accessLog.page(0, 10)).toEqual([]); // nothing was decrypted
    expect(await verifyLedger(ctx.store)).toMatchObject({ ok: true, checkedEvents: 2 });

    expect(await ctx.submit(replacement('HH-1'))).toMatchObject({ status: 'rejected', error: { code: 'household_personal_data_erased' } });
    expect(await ctx.submit(erasure('HH-1'), supervisor)).toMatchObject({ status: 'rejected', error: { code: 'personal_data_already_erased' } });
    expect(await ctx.submit(erase, supervisor)).toMatchObject({ status: 'duplicate' });
    // The ESSN pseudonym outlives erasure: the same ESSN id cannot enrol again (decision 0037).
    expect(await ctx.submit(enrolment('HH-9', 'ESSN-1'))).toMatchObject({ status: 'rejected', error: { code: 'essn_already_enrolled' } });
  });

  it('shows the fields as erased as soon as the erasure is recorded, and a read finishes a destruction a crash cut short', async () => {
    await ctx.submit(enrolment('HH-1', 'ESSN-1'));
    const erase = erasure('HH-1');
    await ctx.store.append(householdStreamId('HH-1'), [{
      eventId: erase.eventId, type: erase.type, schemaVersion: 1, occurredAt: AT, recordedAt: '2026-03-01T08:00:00.000Z',
      source: 'spec', actor: supervisor.name, correlationId: erase.eventId, causationId: null, data: erase.data,
      contentDigest: contentDigest(ctx.keys.digestKey(), { type: erase.type, occurredAt: AT, data: erase.data }),
    }], 0);
    expect((await ctx.keys.lookupKey('HH-1')).status).toBe('active');
    expect(await ctx.query.get('HH-1', ngo)).toMatchObject({ essnId: ERASED, participant: { fullName: ERASED } });
    expect((await ctx.keys.lookupKey('HH-1')).status).toBe('destroyed');
    expect(await ctx.accessLog.page(0, 10)).toEqual([]);
    // Resubmitting the erasure is answered duplicate and destroys again, idempotently.
    expect(await ctx.submit(erase, supervisor)).toMatchObject({ status: 'duplicate' });
    expect((await ctx.keys.lookupKey('HH-1')).status).toBe('destroyed');
  });
});
