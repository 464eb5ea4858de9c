import { ApiError, getJson, getText, health, session, Unauthenticated } from './api';
import { destroyCharts } from './charts';
import { el } from './dom';
import { formats } from './format';
import { t, type Key, type Lang } from './i18n';
import { assetsPanel, beneficiariesPanel, grantPanel, integrityPanel, outcomesPanel, type View } from './panels';
import { parseCheckpoint, type AssetRegister, type Beneficiaries, type GrantStatement, type Indicators, type Verification } from './reports';

/**
 * The donor dashboard: sign in with a key, then every panel from the reports the key's role may
 * read, now or as of a past date or ledger position, in English or Arabic.
 */
const REPORT_ROLES = new Set(['donor', 'supervisor', 'auditor', 'finance', 'admin']);
const VERIFY_ROLES = new Set(['auditor', 'admin']);
const LANG_KEY = 'peil.lang';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const state = {
  lang: (localStorage.getItem(LANG_KEY) === 'ar' ? 'ar' : 'en') as Lang,
  role: null as string | null,
  keyId: null as string | null,
  /** The asOf query value, or null for the live figures. */
  asOf: null as string | null,
  /** Each render gets a number; answers of an older render are dropped. */
  generation: 0,
};

function applyLanguage(): void {
  const root = document.documentElement;
  root.lang = state.lang;
  root.dir = state.lang === 'ar' ? 'rtl' : 'ltr';
  for (const node of document.querySelectorAll<HTMLElement>('[data-t]')) node.textContent = t(state.lang, node.dataset.t as Key);
  document.title = t(state.lang, 'title');
  const other = state.lang === 'ar' ? { label: 'English', lang: 'en' } : { label: 'العربية', lang: 'ar' };
  const button = $('lang');
  button.textContent = other.label;
  button.lang = other.lang;
  if (state.role !== null) $('who').textContent = `${t(state.lang, 'role')}: ${state.role} (${state.keyId})`;
}

function showSignIn(message: string | null): void {
  session.clear();
  state.role = null;
  destroyCharts();
  $('main').hidden = true;
  $('signout').hidden = true;
  $('who').hidden = true;
  $('signin').hidden = false;
  const error = $('signin-error');
  error.hidden = message === null;
  error.textContent = message ?? '';
  const key = $<HTMLInputElement>('key');
  key.value = '';
  key.focus();
}

async function signIn(): Promise<void> {
  try {
    const me = await getJson<{ keyId: string; role: string }>('/me');
    state.role = me.role;
    state.keyId = me.keyId;
  } catch (err) {
    if (err instanceof Unauthenticated) return showSignIn(session.key() === null ? null : t(state.lang, 'keyRefused'));
    throw err;
  }
  $('signin').hidden = true;
  $('main').hidden = false;
  $('signout').hidden = false;
  $('who').hidden = false;
  applyLanguage();
  await render();
}

/** One panel: a loading line, then its content or its error; a refused key ends the session. */
async function panel(id: string, load: () => Promise<Node[]>, generation: number): Promise<void> {
  const body = $(id).querySelector('.body') as HTMLElement;
  body.setAttribute('aria-busy', 'true');
  body.replaceChildren(el('p', { class: 'loading' }, t(state.lang, 'loading')));
  try {
    const nodes = await load();
    if (generation !== state.generation) return;
    body.replaceChildren(...nodes);
  } catch (err) {
    if (generation !== state.generation) return;
    if (err instanceof Unauthenticated) return showSignIn(t(state.lang, 'keyRefused'));
    const message = err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
    body.replaceChildren(el('p', { class: 'error', role: 'alert' }, t(state.lang, 'failed', { message })));
  } finally {
    body.removeAttribute('aria-busy');
  }
}

async function render(): Promise<void> {
  const generation = ++state.generation;
  destroyCharts();
  const lang = state.lang;
  const role = state.role ?? '';
  const asOfQuery = state.asOf === null ? '' : `?asOf=${encodeURIComponent(state.asOf)}`;
  const view: View = { lang, f: formats(lang), role, asOfQuery };
  const status = $('status');
  status.textContent = t(lang, 'loading');
  void checkHealth();
  if (!REPORT_ROLES.has(role)) {
    status.textContent = t(lang, 'noReports');
    for (const id of ['grant', 'assets', 'beneficiaries', 'outcomes', 'integrity']) ($(id).querySelector('.body') as HTMLElement).replaceChildren();
    return;
  }
  // The grant statement first: its ledger position and tree size date every other panel.
  const statement = getJson<GrantStatement>(`/reports/grant-statement${asOfQuery}`);
  statement.then((gs) => showPosition(gs, generation), () => undefined);
  await Promise.all([
    panel('grant', async () => grantPanel(view, await statement), generation),
    panel('assets', async () => assetsPanel(view, await getJson<AssetRegister>(`/reports/asset-register${asOfQuery}`)), generation),
    panel('beneficiaries', async () => beneficiariesPanel(view, await getJson<Beneficiaries>(`/reports/beneficiaries${asOfQuery}`)), generation),
    panel('outcomes', async () => outcomesPanel(view, await getJson<Indicators>(`/reports/indicators${asOfQuery}`)), generation),
    panel('integrity', async () => {
      const { treeSize } = await statement;
      // The checkpoint of the very tree the reports cite, so the figures can be tied to a signed head.
      const note = await getText(treeSize > 0 ? `/ledger/checkpoint?size=${treeSize}` : '/ledger/checkpoint');
      const verification = VERIFY_ROLES.has(role) ? await getJson<Verification>('/ledger/verify') : null;
      return integrityPanel(view, { ...parseCheckpoint(note), note }, verification);
    }, generation),
  ]);
}

function showPosition(gs: GrantStatement, generation: number): void {
  if (generation !== state.generation) return;
  const f = formats(state.lang);
  const position = f.count(gs.ledgerPosition ?? 0);
  $('status').textContent = t(state.lang, 'loaded', { position });
  const banners = $('banners');
  banners.querySelector('.past')?.remove();
  if (state.asOf !== null) {
    banners.append(el('p', { class: 'banner past', role: 'status', 'data-banner': 'past' }, t(state.lang, 'past', { position, time: f.dateTime(gs.asOf) })));
  }
  document.body.classList.toggle('in-past', state.asOf !== null);
}

async function checkHealth(): Promise<void> {
  const banners = $('banners');
  let what: string | null = null;
  try {
    const h = await health();
    if (!h.ready) {
      what = Object.entries(h.services)
        .filter(([, s]) => !s.ok)
        .map(([name, s]) => `${name} (${s.error ?? (s.components ?? []).filter((c) => !c.ok).map((c) => c.name).join(', ')})`)
        .join('; ');
    }
  } catch (err) {
    what = String(err);
  }
  banners.querySelector('.degraded')?.remove();
  if (what !== null) banners.prepend(el('p', { class: 'banner degraded', role: 'alert', 'data-banner': 'degraded' }, t(state.lang, 'degraded', { what })));
}

function wire(): void {
  $('signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const key = $<HTMLInputElement>('key').value.trim();
    if (key === '') return;
    session.save(key);
    void signIn();
  });
  $('signout').addEventListener('click', () => showSignIn(null));
  $('lang').addEventListener('click', () => {
    state.lang = state.lang === 'ar' ? 'en' : 'ar';
    localStorage.setItem(LANG_KEY, state.lang);
    applyLanguage();
    if (state.role !== null) void render();
  });
  $('asof').addEventListener('submit', (e) => {
    e.preventDefault();
    const position = $<HTMLInputElement>('asof-position').value.trim();
    const date = $<HTMLInputElement>('asof-date').value;
    // A position is exact; a date means the ledger as it stood at the end of that day.
    state.asOf = position !== '' ? position : date !== '' ? `${date}T23:59:59Z` : null;
    void render();
  });
  $('asof-now').addEventListener('click', () => {
    state.asOf = null;
    $<HTMLInputElement>('asof-position').value = '';
    $<HTMLInputElement>('asof-date').value = '';
    void render();
  });
}

wire();
applyLanguage();
if (session.key() !== null) void signIn();
else showSignIn(null);
