import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from './system';

/**
 * Debian's Chromium (`apt-get install chromium`, which .ci/run does): browser tests drive the
 * browser a user has, and never download one. PEIL_CHROMIUM points elsewhere (another distribution).
 */
export const CHROMIUM = process.env.PEIL_CHROMIUM ?? '/usr/bin/chromium';

/** Where browser tests leave screenshots of a failure (gitignored with every `.peil-test-*` folder). */
export const BROWSER_ARTEFACTS = join(repoRoot, '.peil-test-artefacts');

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // No sandbox: CI runs as root, where Chromium refuses to start with one.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * Everything that went wrong in a page: console errors (a CSP violation is one), uncaught
 * exceptions, failed requests and HTTP errors. `allow` lets a step expect one status (a 401);
 * `expected` names answers the page reads as information, whatever their status (a health probe's 503).
 */
export function watchPage(page: Page, expected: (url: string) => boolean = () => false): { problems: string[]; allow(status: number): void } {
  const problems: string[] = [];
  const allowed = new Set<number>();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs every HTTP error status as a console error too; those are judged by status below.
    if (/^Failed to load resource: the server responded with a status of (\d+)/.test(m.text())) return;
    problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !allowed.has(r.status()) && !expected(r.url())) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return { problems, allow: (status) => allowed.add(status) };
}

/** Screenshots of the given element ids (and the whole page) after a failure, then the failure again. */
export async function withScreenshots<T>(page: Page, name: string, ids: readonly string[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const dir = join(BROWSER_ARTEFACTS, name);
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'page.png'), fullPage: true }).catch(() => undefined);
    for (const id of ids) await page.locator(`#${id}`).screenshot({ path: join(dir, `${id}.png`) }).catch(() => undefined);
    throw err;
  }
}
