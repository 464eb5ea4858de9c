import type { Browser, BrowserContext, Page } from 'playwright-core';
import { get, launchChromium, removeDir, startSystem, watchPage, withScreenshots, type RunningSystem } from '@peil/testing';
import { seedDemo, type Seeded } from './dashboard-data';

/**
 * Issue 17: the dashboard in a real Chromium against a running system with the demo's pilot (a small
 * caseload) — what a donor sees is what the reports say, in English and Arabic, now and as of an
 * earlier ledger position.
 */
const PANELS = ['grant', 'assets', 'beneficiaries', 'outcomes', 'integrity'] as const;

// Page code runs in the browser, so it is passed as strings: this project's TypeScript knows no DOM.
/**
 * The number a formatted figure shows, in minor units when it has decimals: "US$1,234.50" → 123450,
 * "-US$0.50" → -50; Arabic-Indic digits are read as Western ones.
 */
const shown = (text: string) => {
  const western = text.replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660));
  const value = Number(western.replace(/[^0-9]/g, ''));
  return /[-\u2212]/.test(western) ? -value : value;
};

describe('dashboard in Chromium', () => {
  let system: RunningSystem;
  let seeded: Seeded;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  let origin: string;

  beforeAll(async () => {
    // One after the other, so that afterAll closes whichever started when the other fails.
    browser = await launchChromium();
    // Start and demo take well under a minute on an idle machine; the margins are for a machine
    // shared with other suites, where a start alone has taken minutes: a limit must not fail a slow run.
    system = await startSystem({ timeoutMs: 300_000 });
    origin = system.baseUrl.replace(/\/v1$/, '');
    seeded = await seedDemo(system, 24);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    if (system) removeDir(system.dataDir);
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    page = await context.newPage();
    // /v1/health answers 503 while a service is slow to answer it (a loaded machine): the page shows
    // that as its degraded banner, which is what it is for, not a failed request.
    watch = watchPage(page, (url) => url === `${system.baseUrl}/health`);
  });

  afterEach(async () => {
    await context?.close();
  });

  const step = <T>(name: string, run: () => Promise<T>) => withScreenshots(page, name, PANELS, run);
  const report = async (name: string, role = 'donor', query = '') => {
    const res = await get(system, `/reports/${name}${query}`, role);
    expect(res.status).toBe(200);
    return res.body;
  };
  const figure = async (name: string) => {
    const node = page.locator(`[data-figure="${name}"]`);
    return { value: await node.getAttribute('data-value'), text: (await node.textContent()) ?? '' };
  };
  async function signIn(role: string): Promise<void> {
    await page.goto(`${origin}/`);
    // The key field is the first field, and has the focus.
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('key');
    await page.locator('#key').fill(system.keys[role]!);
    await page.locator('#key').press('Enter');
    await page.locator('[data-figure="integrity.size"]').waitFor();
    await page.locator('#grant .loading, #assets .loading, #beneficiaries .loading, #outcomes .loading').first().waitFor({ state: 'detached' });
  }
  /** Every panel's figures equal the reports' (`query` = the same asOf the page was given). */
  async function expectFiguresOf(query: string): Promise<void> {
    const [gs, ar, bf, ind] = await Promise.all(['grant-statement', 'asset-register', 'beneficiaries', 'indicators'].map((n) => report(n, 'donor', query)));
    const totals = gs.grants[0].totals;
    for (const [name, minor] of [['allocation', totals.allocationMinor], ['committed', totals.committedMinor], ['spent', totals.spentCumulativeMinor], ['remaining', totals.remainingMinor]] as const) {
      const f = await figure(`grant.${name}`);
      expect({ name, value: f.value, shown: shown(f.text) }).toEqual({ name, value: String(minor), shown: minor });
    }
    expect(await page.locator('[data-table="grant-lines"] tbody tr').count()).toBe(gs.grants[0].components.reduce((n: number, c: any) => n + c.budgetLines.length + 1, 0));
    expect((await figure('assets.deliveries')).value).toBe(String(ar.totals.deliveries));
    const value = await figure('assets.value');
    expect([value.value, shown(value.text)]).toEqual([String(ar.totals.totalUsdMinor), ar.totals.totalUsdMinor]);
    const h = bf.households;
    for (const [name, n] of [['total', h.total], ['active', h.byStatus.active], ['withdrawn', h.byStatus.withdrawn], ['replaced', h.byStatus.replaced], ['women', h.bySex.F], ['men', h.bySex.M]] as const) {
      const f = await figure(`beneficiaries.${name}`);
      expect({ name, value: f.value, shown: shown(f.text) }).toEqual({ name, value: String(n), shown: n });
    }
    // The text alternatives: one row per governorate, as the reports give them.
    expect(await page.locator('[data-table="beneficiaries-governorate"] tbody tr').count()).toBe(Object.keys(h.byGovernorate).length);
    expect(await page.locator('[data-table="assets-governorate"] tbody tr').count()).toBe(ar.summary.byGovernorate.length);
    expect(await page.locator('[data-table="assets-category"] tbody tr').count()).toBe(ar.summary.byCategory.length);
    const months = gs.grants[0].spendingByMonth;
    expect(await page.locator('[data-table="grant-months"] tbody tr').count()).toBe(months.length);
    for (const round of ['baseline', 'midline', 'endline']) {
      const expected = ind.rounds[round].meanMonthlyIncomeUsdMinor;
      expect({ round, value: (await figure(`outcomes.${round}.income`)).value }).toEqual({ round, value: expected === null ? '' : String(expected) });
    }
    const checkpoint = await (await fetch(`${system.baseUrl}/ledger/checkpoint?size=${gs.treeSize}`, { headers: { authorization: `Bearer ${system.keys.donor}` } })).text();
    const [, size, root] = checkpoint.split('\n');
    expect([(await figure('integrity.size')).value, (await figure('integrity.root')).value]).toEqual([size, root]);
    // The reports and the checkpoint name the same tree.
    expect([String(gs.treeSize), gs.rootHash]).toEqual([size, root]);
  }

  it('shows a donor the reports’ figures on every panel, and no personal data', async () => {
    await step('donor', async () => {
      await signIn('donor');
      await expectFiguresOf('');
      expect(await page.locator('#who').textContent()).toContain('donor');
      const html = await page.content();
      for (const personal of seeded.personal) expect(html).not.toContain(personal);
      // Not even the pseudonymous household reference, nor the auditor's tools.
      expect(html).not.toMatch(/HR-[A-Za-z0-9]/);
      expect(await page.locator('#audit-pack').count()).toBe(0);
      // The key lives in the tab's sessionStorage, never in the address.
      expect(page.url()).not.toContain(system.keys.donor!);
      expect(await page.evaluate("sessionStorage.getItem('peil.apiKey')")).toBe(system.keys.donor);
      expect(watch.problems).toEqual([]);
    });
  }, 120_000);

  it('switches to Arabic: right to left, translated labels and places, the same numbers', async () => {
    await step('arabic', async () => {
      await signIn('donor');
      const before = await figure('grant.allocation');
      await page.locator('#lang').click();
      await page.locator('html[dir="rtl"][lang="ar"]').waitFor();
      await page.locator('[data-table="assets-governorate"]').waitFor({ state: 'attached' });
      expect(await page.locator('#grant-h').textContent()).toBe('صرف المنحة');
      expect(await page.locator('#lang').textContent()).toBe('English');
      expect(await page.locator('[data-table="assets-governorate"]').textContent()).toContain('الشمال');
      const after = await figure('grant.allocation');
      expect([after.value, shown(after.text)]).toEqual([before.value, Number(before.value)]);
      await page.locator('#lang').click();
      await page.locator('html[dir="ltr"][lang="en"]').waitFor();
      expect(await page.locator('#lang').textContent()).toBe('العربية');
      expect(watch.problems).toEqual([]);
    });
  }, 120_000);

  it('re-renders every panel as of an earlier ledger position, saying that it shows the past', async () => {
    await step('as-of', async () => {
      await signIn('donor');
      const now = (await figure('assets.deliveries')).value;
      await page.locator('#asof-position').fill(String(seeded.early));
      await page.locator('#asof-position').press('Enter');
      await page.locator('[data-banner="past"]').waitFor();
      await page.locator('[data-figure="integrity.size"]').waitFor();
      await page.waitForFunction(`document.querySelector('[data-figure="assets.deliveries"]').getAttribute('data-value') !== ${JSON.stringify(now)}`);
      await expectFiguresOf(`?asOf=${seeded.early}`);
      expect(await page.locator('[data-banner="past"]').textContent()).toContain(String(seeded.early));
      await page.locator('#asof-now').click();
      await page.locator('[data-banner="past"]').waitFor({ state: 'detached' });
      expect(watch.problems).toEqual([]);
    });
  }, 120_000);

  it('gives an auditor the verification and the audit pack; a refused key goes back to sign-in', async () => {
    await step('auditor', async () => {
      await signIn('auditor');
      expect((await figure('integrity.verified')).value).toBe('true');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#audit-pack').click()]);
      const pack = await download.createReadStream().then(async (s) => { let text = ''; for await (const c of s) text += c; return text; });
      expect(JSON.parse(pack.split('\n', 1)[0]!)).toMatchObject({ format: 'peil-ledger-pack/1', size: Number((await figure('integrity.size')).value) });
      await page.locator('#signout').click();
      watch.allow(401);
      await page.locator('#key').fill('not-a-key');
      await page.locator('#key').press('Enter');
      await page.locator('#signin-error').waitFor();
      expect(await page.locator('#main').isHidden()).toBe(true);
      expect(watch.problems).toEqual([]);
    });
  }, 120_000);

  it('fits a 390-pixel phone without sideways scrolling', async () => {
    await step('phone', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await signIn('donor');
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      expect(watch.problems).toEqual([]);
    });
  }, 120_000);
});
