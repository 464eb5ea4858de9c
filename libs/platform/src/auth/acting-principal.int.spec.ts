import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InternalClient } from '../http/internal-client';
import { actingFor, decodeOnBehalfOf, encodeOnBehalfOf, onOwnAccount, servicePrincipal } from './acting-principal';
import { recordedPrincipal } from './roles.guard';

const ngoKey = { keyId: '3f9a1c07be', role: 'ngo', via: 'http' as const };

describe('the principal a request records', () => {
  it('is the forwarded key for a caller through the gateway, whatever on-behalf-of header it carries', () => {
    expect(recordedPrincipal('ngo', 'ngo:3f9a1c07be', undefined)).toEqual(ngoKey);
    expect(recordedPrincipal('ngo', 'ngo:3f9a1c07be', encodeOnBehalfOf({ keyId: 'x', role: 'admin', via: 'http' }))).toEqual(ngoKey);
    expect(recordedPrincipal('donor', 'donor', undefined)).toEqual({ keyId: 'unidentified', role: 'donor', via: 'http' });
  });

  it('is the calling service on its own account, or the submitter it acts for', () => {
    expect(recordedPrincipal('system', 'system:asset-transfer', undefined)).toEqual(servicePrincipal('asset-transfer'));
    expect(servicePrincipal('asset-transfer')).toEqual({ keyId: 'service:asset-transfer', role: 'system', via: 'system' });
    expect(recordedPrincipal('system', 'system:asset-transfer', encodeOnBehalfOf(ngoKey))).toEqual(ngoKey);
    const kafka = { keyId: 'rmf-mis', role: 'ngo', via: 'kafka' as const };
    expect(recordedPrincipal('system', 'system:training', encodeOnBehalfOf(kafka))).toEqual(kafka);
  });

  it.each([
    ['not JSON', 'ngo:abc'],
    ['an unknown role', JSON.stringify({ keyId: 'k', role: 'root', via: 'http' })],
    ['the system role (a service acts for itself without the header)', JSON.stringify({ keyId: 'service:x', role: 'system', via: 'system' })],
    ['a key id with spaces', JSON.stringify({ keyId: 'a b', role: 'ngo', via: 'http' })],
  ])('refuses an on-behalf-of header that is %s', (_, value) => {
    expect(decodeOnBehalfOf(value)).toBeNull();
    expect(() => recordedPrincipal('system', 'system:grant', value)).toThrow(
      expect.objectContaining({ response: { error: { code: 'unauthenticated', message: 'malformed x-peil-on-behalf-of header' } } }),
    );
  });
});

describe('InternalClient says on whose behalf it calls', () => {
  let server: Server;
  let seen: IncomingHttpHeaders[];
  let client: InternalClient;

  beforeAll(async () => {
    seen = [];
    server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"results":[]}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    client = new InternalClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 't'.repeat(32), 'asset-transfer');
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));
  beforeEach(() => (seen.length = 0));

  it('forwards the submitter while a submission is served, across awaits', async () => {
    await actingFor(ngoKey, async () => {
      await new Promise((r) => setImmediate(r));
      await client.submit('grant', []);
    });
    expect(seen[0]!['x-peil-principal']).toBe('system:asset-transfer');
    expect(decodeOnBehalfOf(String(seen[0]!['x-peil-on-behalf-of']))).toEqual(ngoKey);
  });

  it('sends no on-behalf-of header outside a submission, on its own account, or for a service principal', async () => {
    await client.get('/x');
    await actingFor(ngoKey, () => onOwnAccount(() => client.get('/x')));
    await actingFor(servicePrincipal('grant'), () => client.get('/x'));
    expect(seen.map((h) => h['x-peil-on-behalf-of'])).toEqual([undefined, undefined, undefined]);
  });
});
