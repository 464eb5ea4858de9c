import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consistencyProof, generateSignerKey, leafHash, MemoryTree, parseSignerKey, signCheckpoint } from '@peil/ledger';
import { closeNow, listenOnLoopback, useTempDir } from '@peil/testing';
import { auditCommand } from './audit.command';
import { UsageError } from './cli-args';

// The witness against a real HTTP server on loopback that serves what a (possibly dishonest) ledger
// would: each case changes what it serves and checks the exit code and the reason.

const signer = parseSignerKey(generateSignerKey('peil-ledger/audit-test'));
const key = signer.verifier.text;
const leaves = (tag: string, n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`${tag}:${i}`)));

interface Served {
  tree: MemoryTree;
  signWith?: typeof signer;
  status?: number;
  body?: string;
}

describe('audit (the witness)', () => {
  let server: Server;
  let url: string;
  let served: Served;
  const dir = useTempDir('peil-audit-', 'all');
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.headers.authorization} ${req.url}`);
      if (served.status) {
        res.writeHead(served.status, { 'content-type': 'application/json' }).end(served.body ?? '');
        return;
      }
      const u = new URL(req.url!, 'http://x');
      const size = served.tree.size;
      if (u.pathname === '/v1/ledger/checkpoint') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(signCheckpoint({ origin: signer.name, size, root: served.tree.root() }, served.signWith ?? signer));
      } else if (u.pathname === '/v1/ledger/proofs/consistency') {
        const from = Number(u.searchParams.get('from'));
        const to = Number(u.searchParams.get('to'));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ from, to, proof: consistencyProof(served.tree, from, to).map((h) => h.toString('hex')) }));
      } else res.writeHead(404).end();
    });
    await listenOnLoopback(server, 0);
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await closeNow(server);
  });

  const run = async (state: string, env: NodeJS.ProcessEnv = { PEIL_API_KEY: 'k-123' }, target = url) => {
    let out = '';
    const code = await auditCommand(['--url', target, '--key', key, '--state', state], env, (t) => (out += t));
    return { code, result: JSON.parse(out) as { ok: boolean; reason?: string; size?: number } };
  };

  it('keeps the first checkpoint, then accepts a tree that extends it, presenting the key from PEIL_API_KEY', async () => {
    const state = join(dir.path, 'good.state');
    served = { tree: MemoryTree.fromLeafHashes(leaves('a', 20)) };
    expect(await run(state)).toMatchObject({ code: 0, result: { ok: true, size: 20 } });
    served = { tree: MemoryTree.fromLeafHashes(leaves('a', 33)) };
    expect(await run(state)).toMatchObject({ code: 0, result: { ok: true, size: 33, previousSize: 20 } });
    expect(readFileSync(state, 'utf8')).toBe(signCheckpoint({ origin: signer.name, size: 33, root: served.tree.root() }, signer));
    expect(requests.every((r) => r.startsWith('Bearer k-123 '))).toBe(true);
  });

  it('exits 1 on a rewritten history, a shrunken tree and a bad signature, and keeps the saved state', async () => {
    const state = join(dir.path, 'bad.state');
    served = { tree: MemoryTree.fromLeafHashes(leaves('a', 20)) };
    await run(state);
    const saved = readFileSync(state, 'utf8');
    served = { tree: MemoryTree.fromLeafHashes([...leaves('a', 10), ...leaves('b', 15)]) };
    expect(await run(state)).toMatchObject({ code: 1, result: { ok: false, reason: expect.stringMatching(/^inconsistent history/) } });
    served = { tree: MemoryTree.fromLeafHashes(leaves('a', 12)) };
    expect(await run(state)).toMatchObject({ code: 1, result: { reason: expect.stringMatching(/^size went backwards/) } });
    served = { tree: MemoryTree.fromLeafHashes(leaves('a', 30)), signWith: parseSignerKey(generateSignerKey(signer.name)) };
    expect(await run(state)).toMatchObject({ code: 1, result: { reason: expect.stringMatching(/^bad signature/) } });
    served = { tree: MemoryTree.fromLeafHashes(leaves('a', 20)), status: 503, body: JSON.stringify({ error: { code: 'tree_integrity_fault', message: 'history was rewritten' } }) };
    expect(await run(state)).toMatchObject({ code: 1, result: { reason: expect.stringContaining('tree integrity fault') } });
    expect(readFileSync(state, 'utf8')).toBe(saved);
  });

  it('exits 3 when the server cannot be reached, and refuses to run without an API key or with a bad key', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    served = { tree: MemoryTree.fromLeafHashes(leaves('a', 3)) };
    expect(await run(join(dir.path, 'x.state'), { PEIL_API_KEY: 'k' }, `http://127.0.0.1:${port}`)).toMatchObject({ code: 3, result: { reason: expect.stringMatching(/^unreachable/) } });
    await expect(run(join(dir.path, 'x.state'), {})).rejects.toBeInstanceOf(UsageError);
    await expect(auditCommand(['--url', url, '--key', 'not-a-key', '--state', join(dir.path, 'x.state')], { PEIL_API_KEY: 'k' }, () => undefined)).rejects.toBeInstanceOf(UsageError);
    writeFileSync(join(dir.path, 'junk.state'), 'junk');
    await expect(run(join(dir.path, 'junk.state'))).rejects.toBeInstanceOf(UsageError);
  });
});
