import Database from 'better-sqlite3';
import { createDecipheriv, createHash, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectOwnerOnly, get, permissionsOf, post, removeDir, repoRoot, startSystem, type RunningSystem } from '@peil/testing';
import { enrolment } from './fixtures';

/**
 * Personal data from outside, on the system `npm start` runs: ESSN id at rest, the access log,
 * erasure by crypto-shredding down to the bytes of the data dir, and owner-only file modes.
 */
describe('personal data (embedded profile)', () => {
  let system: RunningSystem;
  let dataDir: string;

  beforeAll(async () => {
    // A data dir that already exists with the usual 0755: the system must tighten it, not only create it right.
    dataDir = join(mkdtempSync(join(tmpdir(), 'peil-privacy-')), 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    system = await startSystem({ dataDir, timeoutMs: 120_000 });
  }, 150_000);

  afterAll(async () => {
    await system?.stop();
    if (dataDir) removeDir(join(dataDir, '..'));
  });

  /** The id the gateway gives a key (`<role>:<id>` in x-peil-principal). */
  const keyIdOf = (role: string) => `${role}:${createHash('sha256').update(system.keys[role]!).digest('hex').slice(0, 10)}`;
  const allFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(join(dir, d.name)) : [join(dir, d.name)]));
  // The system is running while we read: a file written by write-then-rename (the integrity
  // service's `*.verified.json.<pid>.tmp`) can be listed and renamed away before it is read.
  // A file that vanished between listing and reading is skipped: its bytes live on under the new name.
  const readIfStillThere = (f: string): Buffer => {
    try {
      return readFileSync(f);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
      throw err;
    }
  };
  const everyByte = () => Buffer.concat(allFiles(dataDir).map(readIfStillThere));

  async function enrol(fullName: string, essnId: string) {
    const event = enrolment({ essnId }, { fullName });
    const [result] = (await post(system, '/enrolment/events', { events: [event] })).body.results;
    expect(result).toMatchObject({ status: 'accepted' });
    return event.data.householdId as string;
  }

  it('keeps the ESSN id encrypted in the ledger, with its pseudonym, and refuses a second household with it', async () => {
    const householdId = await enrol('Hiba Mansour', 'ESSN-7733190');
    const stream = await get(system, `/ledger/streams/household-${householdId}`);
    expect(JSON.stringify(stream.body)).not.toContain('ESSN-7733190');
    expect(stream.body.events[0].data.essnId).toMatch(/^enc:v1:/);
    expect(stream.body.events[0].data.essnPseudonym).toMatch(/^[0-9a-f]{64}$/);
    const again = await post(system, '/enrolment/events', { events: [enrolment({ essnId: 'ESSN-7733190' })] });
    expect(again.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'essn_already_enrolled', path: 'data.essnId' } });
    expect((await get(system, `/enrolment/households/${householdId}`, 'ngo')).body.essnId).toBe('ESSN-7733190');
  });

  it('logs a read by an NGO key with its key id for the auditor, never the data, and only the auditor reads the log', async () => {
    const householdId = await enrol('Layal Chidiac', 'ESSN-5521004');
    const read = await fetch(`${system.baseUrl}/enrolment/households/${householdId}`, {
      headers: { authorization: `Bearer ${system.keys.ngo}`, 'x-request-id': 'req-privacy-1' },
    });
    expect(read.status).toBe(200);
    const requestId = read.headers.get('x-request-id');

    const log = await get(system, '/ledger/access-log?after=0&limit=1000', 'auditor');
    expect(log.status).toBe(200);
    const mine = log.body.entries.filter((e: { householdId: string }) => e.householdId === householdId);
    expect(mine).toEqual([expect.objectContaining({
      principal: keyIdOf('ngo'),
      role: 'ngo',
      householdId,
      fields: ['essnId', 'participant.fullName', 'participant.phone', 'participant.birthDate'],
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    })]);
    expect(requestId).toBeTruthy();
    expect(mine[0].requestId).toBe(requestId); // the id the gateway answered with: a read can be traced to its request
    expect(log.body.verification).toMatchObject({ ok: true });
    const text = JSON.stringify(log.body);
    expect(text).not.toContain('Layal');
    expect(text).not.toContain('ESSN-5521004');
    expect(everyByte().includes('Layal Chidiac')).toBe(false);

    expect((await get(system, '/ledger/access-log', 'ngo')).status).toBe(403);
    expect((await get(system, '/ledger/access-log', 'admin')).status).toBe(403);
    expect(await get(system, '/ledger/access-log?limit=0', 'auditor')).toMatchObject({ status: 400, body: { error: { code: 'invalid_query', path: 'limit' } } });
  });

  it('erases by crypto-shredding: key and name gone from every file of the data dir, reads show erased, the ledger verifies', async () => {
    const householdId = await enrol('Zeina Abou Jaoude', 'ESSN-9090117');
    expect((await get(system, `/enrolment/households/${householdId}`, 'ngo')).body.participant.fullName).toBe('Zeina Abou Jaoude');

    // The household's data key, unwrapped as the key store does (master key, AAD = household id).
    const master = Buffer.from(readFileSync(join(dataDir, 'master.key'), 'utf8').trim(), 'base64');
    const keystore = new Database(join(dataDir, 'keystore.sqlite'), { readonly: true });
    const wrapped = keystore.prepare<[string], { wrapped_key: Buffer }>('SELECT wrapped_key FROM household_keys WHERE household_id = ?').get(householdId)!.wrapped_key;
    keystore.close();
    const decipher = createDecipheriv('aes-256-gcm', master, wrapped.subarray(0, 12), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(householdId));
    decipher.setAuthTag(wrapped.subarray(44));
    const dataKey = Buffer.concat([decipher.update(wrapped.subarray(12, 44)), decipher.final()]);
    expect(dataKey).toHaveLength(32);

    const erasure = { eventId: randomUUID(), type: 'HouseholdPersonalDataErased', occurredAt: '2026-03-02T10:00:00+02:00', data: { householdId, reason: 'DSR-2026-031', requestedBy: 'supervisor' } };
    const byNgo = await post(system, '/enrolment/events', { events: [erasure] }, 'ngo');
    expect(byNgo.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    const bySupervisor = await post(system, '/enrolment/events', { events: [erasure] }, 'supervisor');
    expect(bySupervisor.body.results[0]).toMatchObject({ status: 'accepted' });

    const bytes = everyByte();
    expect(bytes.indexOf(wrapped)).toBe(-1);
    expect(bytes.indexOf(dataKey)).toBe(-1);
    expect(bytes.includes('Zeina Abou Jaoude')).toBe(false);

    const shown = await get(system, `/enrolment/households/${householdId}`, 'ngo');
    expect(shown.body).toMatchObject({
      essnId: '[erased]',
      participant: { fullName: '[erased]', birthDate: '[erased]', phone: '[erased]' },
      personalDataErased: { reason: 'DSR-2026-031', requestedBy: 'supervisor' },
    });
    expect((await get(system, '/ledger/verify')).body).toMatchObject({ ok: true });
    const stream = await get(system, `/ledger/streams/household-${householdId}`);
    expect(stream.body.events.map((e: { type: string }) => e.type)).toEqual(['HouseholdEnrolled', 'HouseholdPersonalDataErased']);

    // An audit pack exported after the erasure still verifies offline (hashes cover the ciphertext),
    // and holds nothing that decrypts to the name.
    const auth = { authorization: `Bearer ${system.keys.auditor}` };
    const pack = await (await fetch(`${system.baseUrl}/ledger/export`, { headers: auth })).text();
    const verifierKey = (await (await fetch(`${system.baseUrl}/ledger/checkpoint/key`, { headers: auth })).text()).trim();
    expect(pack).not.toContain('Zeina Abou Jaoude');
    const packFile = join(dataDir, '..', 'after-erasure.ndjson');
    writeFileSync(packFile, pack);
    const check = spawnSync(process.execPath, [join(repoRoot, 'bin', 'peil-ledger.js'), 'verify-pack', packFile, '--key', verifierKey], { encoding: 'utf8' });
    expect({ code: check.status, ok: JSON.parse(check.stdout).ok }).toEqual({ code: 0, ok: true });

    const replaced = { eventId: randomUUID(), type: 'ParticipantReplaced', occurredAt: '2026-03-03T10:00:00+02:00', data: { householdId, reason: 'illness', participant: { participantId: 'P-new', fullName: 'Someone Else', sex: 'M', birthDate: '1990-01-01', educationLevel: 'primary' } } };
    expect((await post(system, '/enrolment/events', { events: [replaced] })).body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'household_personal_data_erased' } });
  });

  it('detects an access-log entry altered on disk', async () => {
    const householdId = await enrol('Maya Salibi', 'ESSN-3141592');
    await get(system, `/enrolment/households/${householdId}`, 'supervisor');
    const db = new Database(join(dataDir, 'access-log.sqlite'));
    db.pragma('busy_timeout = 5000');
    db.exec('DROP TRIGGER access_log_no_update');
    const { seq } = db.prepare<[], { seq: number }>('SELECT min(seq) AS seq FROM access_log').get()!;
    db.prepare("UPDATE access_log SET principal = 'auditor:innocent' WHERE seq = ?").run(seq);
    db.close();
    const verify = await get(system, '/ledger/access-log/verify', 'auditor');
    expect(verify.body).toMatchObject({ ok: false, firstFailure: { seq, reason: 'hash_mismatch' } });
  });

  it('leaves the data dir 0700 and every file in it 0600, running and stopped', async () => {
    const check = () => {
      expect(permissionsOf(dataDir)).toBe(0o700);
      const files = allFiles(dataDir);
      expect(files.map((f) => f.slice(dataDir.length + 1))).toEqual(expect.arrayContaining(['ledger.sqlite', 'keystore.sqlite', 'access-log.sqlite', 'master.key']));
      expectOwnerOnly(files);
    };
    check();
    await system.stop();
    check();
  });
});
