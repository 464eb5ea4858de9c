import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { sendError } from '../http/send-error';

/**
 * The policy of the dashboard page: its own script and stylesheet, calls to this origin's API, and
 * nothing else — no inline script or style, no other origin, no plugin, no framing. Chart.js draws
 * on a canvas and sizes it through the CSSOM, which style-src does not govern.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Readonly<Record<string, string>> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const PAGE_PATHS = new Set(['/', '/dashboard', '/dashboard/']);
const ASSET = /^\/dashboard\/assets\/([a-z]+-[0-9a-f]{16}\.(js|css))$/;

/** dist/dashboard, found from this file whether it runs from dist/ or from sources (tests). */
export function defaultDashboardDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) return join(__dirname, 'dashboard');
    dir = up;
  }
  return join(dir, 'dist', 'dashboard');
}

/**
 * The dashboard's static files, open without a key: they hold no data (every figure the page shows
 * comes from an authenticated API call). Read into memory once at start — a page and two bundles —
 * so serving them never touches the disk. Asset names carry a content hash, so browsers may keep
 * them for a year; the page itself is revalidated every time, so a new build shows at once.
 */
export class DashboardAssets {
  private readonly page: Buffer | null;
  private readonly assets = new Map<string, { body: Buffer; type: string }>();

  constructor(dir: string = defaultDashboardDir()) {
    const index = join(dir, 'index.html');
    this.page = existsSync(index) ? readFileSync(index) : null;
    const assetDir = join(dir, 'assets');
    if (!existsSync(assetDir)) return;
    for (const name of readdirSync(assetDir)) {
      const match = ASSET.exec(`/dashboard/assets/${name}`);
      if (match) this.assets.set(name, { body: readFileSync(join(assetDir, name)), type: TYPES[match[2]!]! });
    }
  }

  /** The route template for logs and metrics when `target` is a dashboard path, else null. */
  template(method: string | undefined, target: string): string | null {
    if (method !== 'GET' && method !== 'HEAD') return null;
    const path = target.split('?', 1)[0]!;
    if (PAGE_PATHS.has(path)) return path === '/' ? '/' : '/dashboard';
    return ASSET.test(path) ? '/dashboard/assets/{file}' : null;
  }

  /**
   * Answers a request whose template() is not null. `target` is the request's whole path: behind
   * Express's middleware mount, `req.url` may no longer be.
   */
  serve(req: IncomingMessage, res: ServerResponse, target: string): void {
    const path = target.split('?', 1)[0]!;
    const asset = ASSET.exec(path);
    if (asset) {
      const found = this.assets.get(asset[1]!);
      if (!found) {
        sendError(res, 404, 'not_found', `no dashboard asset ${asset[1]} (the page names the assets of the current build)`);
        return;
      }
      this.send(req, res, found.body, found.type, 'public, max-age=31536000, immutable');
      return;
    }
    if (this.page === null) {
      sendError(res, 503, 'dashboard_not_built', 'the dashboard is not built: run `npm run build` (it writes dist/dashboard)');
      return;
    }
    res.setHeader('content-security-policy', DASHBOARD_CSP);
    this.send(req, res, this.page, 'text/html; charset=utf-8', 'no-cache');
  }

  private send(req: IncomingMessage, res: ServerResponse, body: Buffer, type: string, cacheControl: string): void {
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': cacheControl });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
