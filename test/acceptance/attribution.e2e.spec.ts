import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { get, post, repoRoot, useSharedSystem } from '@peil/testing';
import { enrolment } from './fixtures';
import { accepted, ev, peilGrant, uniq } from './programme';

interface Envelope {
  eventId: string;
  type: string;
  source: string;
  actor: string;
  principal?: { keyId: string; role: string; via: string };
  data: Record<string, unknown>;
}

/**
 * Who recorded an event is what the gateway authenticated, not what the client wrote in `actor`:
 * the ledger API shows both, the principal under the hash; keys are named, listed and revoked
 * with the CLI while the system runs.
 */
describe('attribution: the authenticated principal in the ledger', () => {
  // Each CLI call starts a Node process: generous for a loaded CI machine.
  const T = 120_000;
  const system = useSharedSystem();
  // Asynchronous: a blocked event loop would not see the gateway close idle keep-alive connections,
  // and the next fetch would be sent on a dead one.
  const cli = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((done) => {
      execFile(process.execPath, [join(repoRoot, 'bin', 'peil-ledger.js'), 'keys', ...args], { env: { ...process.env, PEIL_DATA_DIR: system.dataDir } }, (error, out, err) =>
        done({ code: error ? Number(error.code) : 0, out, err }),
      );
    });
  const keyIds = async () => new Map((JSON.parse((await cli('list', '--json')).out) as Array<{ id: string; name: string }>).map((k) => [k.name, k.id]));
  const ledgerEvents = async (): Promise<Envelope[]> => {
    const all: Envelope[] = [];
    for (let after = 0; ; ) {
      const page = await get(system, `/ledger/events?after=${after}&limit=10000`);
      all.push(...page.body.events);
      if (!page.body.next) return all;
      after = page.body.next.after;
    }
  };
  const byId = async (eventId: string) => (await ledgerEvents()).find((e) => e.eventId === eventId)!;

  it("records the NGO key's principal on an event that claims an admin actor, and the ledger still verifies", async () => {
    const forged = { ...enrolment(), actor: 'admin:0000000000', source: 'admin' };
    await accepted(system, 'enrolment', [forged], 'ngo');
    const stored = await byId(forged.eventId);
    expect(stored.actor).toBe('admin:0000000000');
    expect(stored.principal).toEqual({ keyId: (await keyIds()).get('ngo'), role: 'ngo', via: 'http' });
    expect((await get(system, '/ledger/verify')).body).toMatchObject({ ok: true });

    // Sent again with another key (and another claimed actor): the same event, answered duplicate, principal unchanged.
    const again = await post(system, '/enrolment/events', { events: [{ ...forged, actor: 'someone-else' }] }, 'admin');
    expect(again.body.results[0]).toMatchObject({ eventId: forged.eventId, status: 'duplicate' });
    expect((await byId(forged.eventId)).principal).toEqual(stored.principal);
  }, T);

  it("gives an event another service derives (a session's expenditure) its submitter's principal", async () => {
    await accepted(system, 'grant', [peilGrant().event], 'finance');
    const session = ev('TrainingSessionHeld', { sessionId: uniq('SES'), module: 'financial-literacy', governorate: 'North', district: 'Tripoli', costMinor: 150_000, currency: 'USD' }, '2025-11-02T10:00:00+02:00');
    await accepted(system, 'training', [session], 'ngo');
    const events = await ledgerEvents();
    const expenditure = events.find((e) => e.type === 'ExpenditureRecorded' && e.data.relatedEventId === session.eventId);
    expect(expenditure).toBeDefined();
    expect(expenditure!.principal).toEqual({ keyId: (await keyIds()).get('ngo'), role: 'ngo', via: 'http' });
    // Its claimed source still says which service relayed it.
    expect(expenditure!.source).toBe('system:training');
  }, T);

  it('adds, lists and revokes keys with the CLI; the running gateway refuses a revoked key at once', async () => {
    const added = await cli('add', '--role', 'ngo', '--name', 'field-7');
    expect(added.code).toBe(0);
    const key = /key {3}(\S+)/.exec(added.out)![1]!;
    const id = /id {4}(\S+)/.exec(added.out)![1]!;

    const e = enrolment();
    const res = await fetch(`${system.baseUrl}/enrolment/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ events: [e] }),
    });
    expect(res.status).toBe(200);
    expect((await byId(e.eventId)).principal).toEqual({ keyId: id, role: 'ngo', via: 'http' });

    const list = await cli('list');
    expect(list.out).toMatch(new RegExp(`^${id} +field-7 +ngo +cli +\\S+ +-$`, 'm'));
    expect(list.out).not.toContain(key);

    expect((await cli('revoke', 'field-7')).code).toBe(0);
    const refused = await fetch(`${system.baseUrl}/enrolment/households/x`, { headers: { authorization: `Bearer ${key}` } });
    expect(refused.status).toBe(401);
    expect((await cli('revoke', 'field-7')).code).toBe(2);

    // The registry holds no key in plaintext: neither the generated ones nor the added one.
    const registry = ['', '-wal', '-shm'].map((s) => join(system.dataDir, `key-registry.sqlite${s}`)).filter(existsSync);
    const bytes = registry.map((f) => readFileSync(f).toString('latin1')).join('');
    for (const secret of [key, ...Object.values(system.keys)]) expect(bytes).not.toContain(secret);
  }, T);
});
