import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { SERVICES } from '@peil/platform/config';
import { closeNow, freePortBase, listenOnLoopback, removeDir } from '@peil/testing';
import { createGateway } from '../gateway.app';
import { loadGatewayConfig } from '../gateway.config';
import { generateApiKey, keyId } from './api-keys';
import { KeyRegistry } from '@peil/platform/auth';

/**
 * A running gateway and a second connection to its key registry, as the `peil-ledger keys` CLI
 * has: keys added or revoked there count from the gateway's next request, without a restart.
 */
describe('gateway and the key registry changed under it', () => {
  let dataDir: string;
  let app: INestApplication;
  let ledger: Server;
  let base: string;
  let cli: KeyRegistry;
  const forwarded: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'peil-gw-revoke-'));
    const portBase = await freePortBase();
    ledger = createServer((req, res) => {
      forwarded.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    await listenOnLoopback(ledger, portBase + SERVICES.ledger);
    const config = loadGatewayConfig({ PEIL_DATA_DIR: dataDir, PEIL_INTERNAL_PORT_BASE: String(portBase), PEIL_LOG_LEVEL: 'error' });
    app = await createGateway(config);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    cli = KeyRegistry.inDataDir(dataDir);
  });

  afterAll(async () => {
    cli?.close();
    await app?.close();
    await closeNow(ledger);
    removeDir(dataDir);
  });

  // A route every role may read: what is checked here is the key, not its role.
  const status = async (key: string) => (await fetch(`${base}/v1/ledger/checkpoint`, { headers: { authorization: `Bearer ${key}` } })).status;

  it('accepts a key added elsewhere, forwards its id, and refuses it from the request after its revocation', async () => {
    const key = generateApiKey('auditor');
    cli.add({ role: 'auditor', key, id: keyId(key), name: 'audit-firm' }, 'cli', '2026-03-01T10:00:00.000Z');
    expect(await status(key)).toBe(200);
    expect(forwarded.at(-1)!['x-peil-principal']).toBe(`auditor:${keyId(key)}`);

    cli.revoke('audit-firm', '2026-03-01T11:00:00.000Z');
    const res = await fetch(`${base}/v1/ledger/verify`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthenticated', message: 'the API key is not valid (unknown or revoked)' } });
  });

  it('keeps the other keys of the same role working', async () => {
    const [a, b] = [generateApiKey('ngo'), generateApiKey('ngo')];
    cli.add({ role: 'ngo', key: a, id: keyId(a), name: 'field-a' }, 'cli', '2026-03-01T10:00:00.000Z');
    cli.add({ role: 'ngo', key: b, id: keyId(b), name: 'field-b' }, 'cli', '2026-03-01T10:00:00.000Z');
    cli.revoke(keyId(a), '2026-03-01T11:00:00.000Z');
    expect(await status(a)).toBe(401);
    expect(await status(b)).toBe(200);
  });
});
