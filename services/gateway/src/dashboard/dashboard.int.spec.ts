import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { freePortBase, removeDir } from '@peil/testing';
import { createGateway } from '../gateway.app';
import { loadGatewayConfig } from '../gateway.config';
import { DASHBOARD_CSP, defaultDashboardDir } from './dashboard-assets';

/**
 * The gateway serves the built dashboard (dist/dashboard, written by `npm run build`) without a
 * key, and tells a key its role at /v1/me. No service is needed for either.
 */
describe('gateway: dashboard and /v1/me', () => {
  let dataDir: string;
  let app: INestApplication;
  let base: string;
  let keys: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(join(defaultDashboardDir(), 'index.html'))) throw new Error('dist/dashboard is missing: run `npm run build` first (the README test command does)');
    dataDir = mkdtempSync(join(tmpdir(), 'peil-dashboard-'));
    const config = loadGatewayConfig({ PEIL_DATA_DIR: dataDir, PEIL_INTERNAL_PORT_BASE: String(await freePortBase()), PEIL_LOG_LEVEL: 'error' });
    app = await createGateway(config);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    keys = JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8')) as Record<string, string>;
  });

  afterAll(async () => {
    await app?.close();
    removeDir(dataDir);
  });

  it('serves the page at / and /dashboard without a key, revalidated, under a CSP with no inline code and no other origin', async () => {
    for (const path of ['/', '/dashboard', '/dashboard/']) {
      const res = await fetch(`${base}${path}`);
      expect({ path, status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control') }).toEqual({ path, status: 200, type: 'text/html; charset=utf-8', cache: 'no-cache' });
      expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      const html = await res.text();
      expect(html).toContain('id="key"');
      // Every script and stylesheet is a file of this origin; none is inline, none elsewhere.
      expect(html).not.toMatch(/<script(?![^>]*\ssrc="\/dashboard\/assets\/)/);
      expect(html).not.toMatch(/<style|\sstyle=|https?:\/\//);
    }
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('serves the hashed assets the page names for a year, and answers 404 for any other name', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.map((a) => a.replace(/-[0-9a-f]{16}\./, '-<hash>.')).sort()).toEqual(['/dashboard/assets/app-<hash>.css', '/dashboard/assets/app-<hash>.js']);
    for (const asset of assets) {
      const res = await fetch(`${base}${asset}`);
      expect({ asset, status: res.status, cache: res.headers.get('cache-control'), nosniff: res.headers.get('x-content-type-options') })
        .toEqual({ asset, status: 200, cache: 'public, max-age=31536000, immutable', nosniff: 'nosniff' });
      expect(res.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    const missing = await fetch(`${base}/dashboard/assets/app-0000000000000000.js`);
    expect([missing.status, ((await missing.json()) as any).error.code]).toEqual([404, 'not_found']);
    // Anything else under /dashboard is not static: it takes the authenticated path.
    expect((await fetch(`${base}/dashboard/assets/../../v1/me`)).status).toBe(401);
    expect((await fetch(`${base}/dashboard/other`)).status).toBe(401);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(401);
  });

  it('tells each key its role and id at /v1/me, never the key; 401 without one', async () => {
    for (const [role, key] of Object.entries(keys)) {
      const res = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
      const text = await res.text();
      expect([res.status, JSON.parse(text), res.headers.get('cache-control')]).toEqual([200, { keyId: expect.stringMatching(/^[\w-]+$/), role }, 'no-store']);
      expect(text).not.toContain(key);
    }
    const anonymous = await fetch(`${base}/v1/me`);
    expect([anonymous.status, ((await anonymous.json()) as any).error.code]).toEqual([401, 'unauthenticated']);
    const post = await fetch(`${base}/v1/me`, { method: 'POST', headers: { authorization: `Bearer ${keys.donor}` } });
    expect(post.status).toBe(405);
  });
});
