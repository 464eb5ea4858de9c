import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get, post, removeDir, repoRoot, startSystem, type RunningSystem } from '@peil/testing';
import { enrolment } from './fixtures';

/**
 * The auditor toolkit as a new user meets it: checkpoints and proofs checked with an independent
 * implementation of C2SP signed-note / tlog-checkpoint and RFC 6962 written here from the specs
 * (nothing of @peil/ledger), packs exported and verified by the CLI, and the rewrite attack.
 */
jest.setTimeout(400_000);

// ---- An independent verifier, from the specifications only. ----
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaf = (input: Buffer) => sha256(Buffer.from([0]), input);
const node = (l: Buffer, r: Buffer) => sha256(Buffer.from([1]), l, r);
/** RFC 6962 §2.1 MTH, recursively. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
/** Root from an audit path, recursing like PATH(m, D[n]) in RFC 6962 §2.1.1 (consumes the path from its end). */
function rootFromPath(m: number, n: number, leafHash: Buffer, path: Buffer[]): Buffer | null {
  if (n === 1) return path.length === 0 ? leafHash : null;
  if (path.length === 0) return null;
  let k = 1;
  while (k * 2 < n) k *= 2;
  const sibling = path[path.length - 1]!;
  const rest = path.slice(0, -1);
  if (m < k) {
    const left = rootFromPath(m, k, leafHash, rest);
    return left && node(left, sibling);
  }
  const right = rootFromPath(m - k, n - k, leafHash, rest);
  return right && node(sibling, right);
}
/** RFC 6962 consistency: rebuilds both roots from the proof, by the SUBPROOF recursion. */
function rootsFromConsistency(m: number, n: number, proof: Buffer[], oldRoot: Buffer): { old: Buffer; new: Buffer } | null {
  const walk = (m2: number, n2: number, whole: boolean, p: Buffer[]): { old: Buffer; new: Buffer } | null => {
    if (m2 === n2) {
      if (whole) return p.length === 0 ? { old: oldRoot, new: oldRoot } : null;
      return p.length === 1 ? { old: p[0]!, new: p[0]! } : null;
    }
    if (p.length === 0) return null;
    let k = 1;
    while (k * 2 < n2) k *= 2;
    const last = p[p.length - 1]!;
    const rest = p.slice(0, -1);
    if (m2 <= k) {
      const sub = walk(m2, k, whole, rest);
      return sub && { old: sub.old, new: node(sub.new, last) };
    }
    const sub = walk(m2 - k, n2 - k, false, rest);
    return sub && { old: node(last, sub.old), new: node(last, sub.new) };
  };
  return walk(m, n, true, proof);
}
/** C2SP signed-note + tlog-checkpoint, checked against a verifier key `name+hash+base64(0x01‖key)`. */
function openIndependently(note: string, vkey: string): { origin: string; size: number; root: Buffer } {
  const [name, hashHex] = vkey.trim().split('+');
  const raw = Buffer.from(vkey.trim().slice(name!.length + hashHex!.length + 2), 'base64');
  expect(raw[0]).toBe(1);
  expect(sha256(Buffer.from(`${name}\n`), raw).subarray(0, 4).toString('hex')).toBe(hashHex);
  const split = note.lastIndexOf('\n\n');
  const text = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2).trimEnd().split('\n');
  const mine = sigLines.find((l) => l.startsWith(`— ${name} `));
  expect(mine).toBeDefined();
  const sig = Buffer.from(mine!.slice(`— ${name} `.length), 'base64');
  expect(sig.subarray(0, 4).toString('hex')).toBe(hashHex);
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.subarray(1).toString('base64url') }, format: 'jwk' });
  expect(verifySignature(null, Buffer.from(text), publicKey, sig.subarray(4))).toBe(true);
  const [origin, size, root, rest] = text.split('\n');
  expect(origin).toBe(name);
  expect(rest).toBe('');
  return { origin: origin!, size: Number(size), root: Buffer.from(root!, 'base64') };
}

// ---- Helpers ----
async function text(system: RunningSystem, path: string, role = 'donor'): Promise<string> {
  const res = await fetch(`${system.baseUrl}${path}`, { headers: { authorization: `Bearer ${system.keys[role]}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}
async function allEvents(system: RunningSystem): Promise<Array<{ position: number; hash: string; leafIndex: number }>> {
  const out = [];
  for (let after = 0; ; ) {
    const { body } = await get(system, `/ledger/events?after=${after}&limit=10000`);
    out.push(...body.events);
    if (!body.next) return out;
    after = body.next.after;
  }
}
async function enrol(system: RunningSystem, count: number): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    const res = await post(system, '/enrolment/events', { events: Array.from({ length: Math.min(10, count - i) }, () => enrolment()) });
    expect(res.status).toBe(200);
  }
}
function cli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'peil-ledger.js'), ...args], { env: { ...process.env, PEIL_DATA_DIR: dataDir, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('auditor toolkit (transparency log over the ledger)', () => {
  let system: RunningSystem;
  let vkey: string;
  let first: { note: string; size: number };
  afterAll(async () => {
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  it('the checkpoint of a fresh system after 30 enrolments verifies independently and covers exactly the events the API returns', async () => {
    system = await startSystem({ timeoutMs: 150_000 });
    await enrol(system, 30);
    vkey = await text(system, '/ledger/checkpoint/key');
    expect(vkey.trim()).toBe(readFileSync(join(system.dataDir, 'ledger.vkey'), 'utf8').trim());
    const note = await text(system, '/ledger/checkpoint');
    const checkpoint = openIndependently(note, vkey);
    const events = await allEvents(system);
    expect(events.length).toBeGreaterThanOrEqual(30);
    expect(checkpoint.size).toBe(events.length);
    expect(events.map((e) => e.leafIndex)).toEqual(events.map((_, i) => i));
    expect(checkpoint.root.equals(mth(events.map((e) => leaf(Buffer.from(e.hash, 'hex')))))).toBe(true);
    first = { note, size: checkpoint.size };
    expect(existsSync(join(system.dataDir, 'ledger-signing.key'))).toBe(true);
    expect(note).not.toContain(readFileSync(join(system.dataDir, 'ledger-signing.key'), 'utf8').trim().split('+').pop()!);
  });

  it('inclusion proofs verify independently and fail for a changed leaf; a consistency proof after 30 more events verifies', async () => {
    const events = await allEvents(system);
    const { root, size } = openIndependently(first.note, vkey);
    for (const index of [0, 1, 7, Math.floor(size / 2), size - 1]) {
      const { status, body } = await get(system, `/ledger/proofs/inclusion?index=${index}&size=${size}`, 'donor');
      expect(status).toBe(200);
      const leafHash = leaf(Buffer.from(events[index]!.hash, 'hex'));
      expect(body.leafHash).toBe(leafHash.toString('hex'));
      const path = (body.proof as string[]).map((h) => Buffer.from(h, 'hex'));
      expect(rootFromPath(index, size, leafHash, path)?.equals(root)).toBe(true);
      const changed = leaf(Buffer.from(events[(index + 1) % size]!.hash, 'hex'));
      expect(rootFromPath(index, size, changed, path)?.equals(root) ?? false).toBe(false);
    }
    await enrol(system, 30);
    const later = openIndependently(await text(system, '/ledger/checkpoint'), vkey);
    expect(later.size).toBeGreaterThanOrEqual(size + 30);
    const { body } = await get(system, `/ledger/proofs/consistency?from=${size}&to=${later.size}`, 'donor');
    const roots = rootsFromConsistency(size, later.size, (body.proof as string[]).map((h) => Buffer.from(h, 'hex')), root);
    expect(roots?.old.equals(root)).toBe(true);
    expect(roots?.new.equals(later.root)).toBe(true);
    // An earlier checkpoint is served on request, and bad queries are answered 400 with a code and path.
    expect(openIndependently(await text(system, `/ledger/checkpoint?size=${size}`), vkey).root.equals(root)).toBe(true);
    expect(await get(system, `/ledger/checkpoint?size=${later.size + 5}`, 'donor')).toMatchObject({ status: 400, body: { error: { code: 'beyond_tree', path: 'size' } } });
    expect(await get(system, '/ledger/proofs/inclusion?index=x&size=3', 'donor')).toMatchObject({ status: 400, body: { error: { code: 'invalid_query', path: 'index' } } });
    expect(await get(system, '/ledger/proofs/consistency?from=9&to=3', 'donor')).toMatchObject({ status: 400, body: { error: { path: 'from' } } });
    expect((await get(system, '/ledger/export', 'donor')).status).toBe(403);
  });

  it('export and verify-pack: intact, one changed byte, a dropped line, smaller and larger trusted checkpoints', async () => {
    const dir = system.dataDir;
    const trusted = join(dir, 'first.checkpoint');
    writeFileSync(trusted, first.note);
    const res = await fetch(`${system.baseUrl}/ledger/export`, { headers: { authorization: `Bearer ${system.keys.auditor}` } });
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const pack = join(dir, 'pack.ndjson');
    writeFileSync(pack, await res.text());
    expect(await cli(dir, ['verify-pack', pack, '--key', vkey.trim(), '--trusted', trusted])).toMatchObject({ code: 0 });
    const keyFile = join(dir, 'ledger.vkey');
    const unkeyed = await cli(dir, ['verify-pack', pack]);
    expect(unkeyed.code).toBe(1);
    expect(JSON.parse(unkeyed.stdout).firstFailure.reason).toBe('signature_not_checked');

    const lines = readFileSync(pack, 'utf8').split('\n');
    const changed = [...lines];
    changed[5] = changed[5]!.replace('"actor":"', '"actor":"x');
    writeFileSync(pack, changed.join('\n'));
    const one = await cli(dir, ['verify-pack', pack, '--key', `@${keyFile}`]);
    expect(one.code).toBe(1);
    expect(JSON.parse(one.stdout).firstFailure).toMatchObject({ index: 4, reason: 'hash_mismatch' });
    writeFileSync(pack, lines.filter((l) => l !== '').slice(0, -1).join('\n') + '\n');
    expect((await cli(dir, ['verify-pack', pack, '--key', `@${keyFile}`])).code).toBe(1);

    // A pack of a smaller size, from the data dir by the CLI while the system runs.
    const small = join(dir, 'small.ndjson');
    expect((await cli(dir, ['export', '--size', String(first.size + 3), '--out', small])).code).toBe(0);
    expect((await cli(dir, ['verify-pack', small, '--key', `@${keyFile}`, '--trusted', trusted])).code).toBe(0);
    const larger = join(dir, 'larger.checkpoint');
    writeFileSync(larger, await text(system, `/ledger/checkpoint?size=${first.size + 10}`));
    const beyond = await cli(dir, ['verify-pack', small, '--key', `@${keyFile}`, '--trusted', trusted, '--trusted', larger]);
    expect(beyond.code).toBe(1);
    expect(JSON.parse(beyond.stdout).trusted).toEqual([{ size: first.size, ok: true }, { size: first.size + 10, ok: false, reason: 'trusted_checkpoint_beyond_pack' }]);
    expect((await cli(dir, ['verify-pack'])).code).toBe(2);
  });

  it('the rewrite attack: the last 10 events replaced with recomputed chains is caught by audit and by verify-pack against the saved checkpoint', async () => {
    const dir = system.dataDir;
    const state = join(dir, 'witness.state');
    const keyFile = join(dir, 'ledger.vkey');
    const env = { PEIL_API_KEY: system.keys.donor! };
    const url = system.baseUrl.replace(/\/v1$/, '');
    expect((await cli(dir, ['audit', '--url', url, '--key', `@${keyFile}`, '--state', state], env)).code).toBe(0);
    await enrol(system, 10);
    expect((await cli(dir, ['audit', '--url', url, '--key', `@${keyFile}`, '--state', state], env)).code).toBe(0);
    const saved = readFileSync(state, 'utf8');
    expect(saved).toBe(await text(system, `/ledger/checkpoint?size=${openIndependently(saved, vkey).size}`));
    await system.stop();

    // The attacker: guard triggers dropped, the last 10 events deleted and 10 others appended with
    // correct per-stream hashes (the ledger's own chaining from dist/), the derived tree file removed.
    const { chain } = require(join(repoRoot, 'dist/libs/ledger/src/core/hash-chain.js'));
    const db = new Database(join(dir, 'ledger.sqlite'));
    db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;');
    const victims = db.prepare('SELECT * FROM events ORDER BY position DESC LIMIT 10').all().reverse() as Array<Record<string, any>>;
    db.prepare('DELETE FROM events WHERE position >= ?').run(victims[0]!.position);
    for (const v of victims) {
      const last = db.prepare('SELECT revision, hash FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').get(v.stream_id) as { revision: number; hash: string } | undefined;
      const data = JSON.parse(v.data);
      const [e] = chain(v.stream_id, [{ eventId: v.event_id, type: v.type, schemaVersion: v.schema_version, occurredAt: v.occurred_at, recordedAt: v.recorded_at, source: v.source, actor: 'someone-else', correlationId: v.correlation_id, causationId: v.causation_id, data, contentDigest: v.content_digest }], last);
      db.prepare(`INSERT INTO events (position, stream_id, category, revision, event_id, type, schema_version, occurred_at, recorded_at, source, actor, correlation_id, causation_id, data, prev_hash, hash, content_digest)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(v.position, e.streamId, v.category, e.revision, e.eventId, e.type, e.schemaVersion, e.occurredAt, e.recordedAt, e.source, e.actor, e.correlationId, e.causationId, e.dataJson, e.prevHash, e.hash, v.content_digest);
    }
    db.close();
    for (const f of ['ledger-tree.sqlite', 'ledger-tree.sqlite-wal', 'ledger-tree.sqlite-shm']) rmSync(join(dir, f), { force: true });

    // Live, not ready: the services' integrity monitors may well notice the rewritten tip they had verified.
    system = await startSystem({ dataDir: dir, timeoutMs: 150_000, waitFor: 'live' });
    const verify = await get(system, '/ledger/verify');
    expect(verify.body.ok).toBe(true); // the per-stream chains alone do not see it
    const audit = await cli(dir, ['audit', '--url', system.baseUrl, '--key', `@${keyFile}`, '--state', state], { PEIL_API_KEY: system.keys.donor! });
    expect(audit.code).toBe(1);
    expect(JSON.parse(audit.stdout).reason).toMatch(/inconsistent history/);
    expect(readFileSync(state, 'utf8')).toBe(saved);
    const fresh = join(dir, 'fresh.ndjson');
    expect((await cli(dir, ['export', '--out', fresh])).code).toBe(0);
    const check = await cli(dir, ['verify-pack', fresh, '--key', `@${keyFile}`, '--trusted', state]);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout).trusted).toEqual([expect.objectContaining({ ok: false, reason: 'trusted_checkpoint_inconsistent' })]);
  });
});
