import { download } from './api';
import { chart } from './charts';
import { el, figure, figures, numbers, table } from './dom';
import type { Formats } from './format';
import { category, place, t, type Key, type Lang } from './i18n';
import type { AssetRegister, AssetRow, Beneficiaries, GrantStatement, Indicators, Verification } from './reports';

export interface View {
  lang: Lang;
  f: Formats;
  role: string;
  /** The query suffix of the reports shown (`?asOf=…` or empty), for downloads of the same figures. */
  asOfQuery: string;
}

const dollars = (v: View) => (n: number) => v.f.usd(n);

export function grantPanel(v: View, gs: GrantStatement): Node[] {
  const out: Node[] = [];
  for (const g of gs.grants) {
    const tot = g.totals;
    out.push(
      el('h3', {}, `${g.grantId} — ${g.donor}`),
      figures(
        figure('grant.allocation', t(v.lang, 'budget'), tot.allocationMinor, v.f.usd(tot.allocationMinor)),
        figure('grant.committed', t(v.lang, 'committed'), tot.committedMinor, v.f.usd(tot.committedMinor)),
        figure('grant.spent', t(v.lang, 'spent'), tot.spentCumulativeMinor, v.f.usd(tot.spentCumulativeMinor)),
        figure('grant.remaining', t(v.lang, 'remaining'), tot.remainingMinor, v.f.usd(tot.remainingMinor)),
      ),
      chart('bar', t(v.lang, 'byComponent'), g.components.map((c) => c.code), [
        { label: t(v.lang, 'budget'), values: g.components.map((c) => c.totals.allocationMinor) },
        { label: t(v.lang, 'committed'), values: g.components.map((c) => c.totals.committedMinor) },
        { label: t(v.lang, 'spent'), values: g.components.map((c) => c.totals.spentCumulativeMinor) },
      ], v.lang, dollars(v)),
      numbers(t(v.lang, 'showNumbers'), table(
        t(v.lang, 'byComponent'),
        [t(v.lang, 'component'), t(v.lang, 'budgetLine'), t(v.lang, 'budget'), t(v.lang, 'committed'), t(v.lang, 'spent'), t(v.lang, 'remaining')],
        g.components.flatMap((c) => [
          ...c.budgetLines.map((l) => [c.code, `${l.code} ${l.name}`, v.f.usd(l.allocationMinor), v.f.usd(l.committedMinor), v.f.usd(l.spentCumulativeMinor), v.f.usd(l.remainingMinor)]),
          [c.code, c.name, v.f.usd(c.totals.allocationMinor), v.f.usd(c.totals.committedMinor), v.f.usd(c.totals.spentCumulativeMinor), v.f.usd(c.totals.remainingMinor)],
        ]),
        { numeric: [2, 3, 4, 5], name: 'grant-lines' },
      )),
    );
    const months = g.spendingByMonth ?? [];
    out.push(el('h3', {}, t(v.lang, 'perMonth')));
    if (months.length === 0) {
      out.push(el('p', { class: 'hint' }, t(v.lang, 'noMonths')));
    } else {
      out.push(
        chart('bar', t(v.lang, 'perMonth'), months.map((m) => v.f.month(m.month)), [{ label: t(v.lang, 'spent'), values: months.map((m) => m.spentMinor) }], v.lang, dollars(v)),
        numbers(t(v.lang, 'showNumbers'), table(t(v.lang, 'perMonth'), [t(v.lang, 'month'), t(v.lang, 'spent')], months.map((m) => [v.f.month(m.month), v.f.usd(m.spentMinor)]), { numeric: [1], name: 'grant-months' })),
      );
    }
  }
  return out;
}

/** Sums rows by a key: deliveries and US cents per governorate or kit category. */
function tally(rows: readonly AssetRow[], key: (r: AssetRow) => string | null): Array<{ key: string | null; deliveries: number; valueMinor: number }> {
  const by = new Map<string | null, { deliveries: number; valueMinor: number }>();
  for (const r of rows) {
    const k = key(r);
    const s = by.get(k) ?? { deliveries: 0, valueMinor: 0 };
    s.deliveries += 1;
    s.valueMinor += r.totalUsdMinor;
    by.set(k, s);
  }
  return [...by.entries()].map(([k, s]) => ({ key: k, ...s })).sort((a, b) => b.valueMinor - a.valueMinor);
}

const PAGE_ROWS = 50;

export function assetsPanel(v: View, ar: AssetRegister): Node[] {
  const breakdown = (title: Key, rows: ReturnType<typeof tally>, name: (k: string | null) => string, tableName: string) => [
    chart('bar', t(v.lang, title), rows.map((r) => name(r.key)), [{ label: t(v.lang, 'value'), values: rows.map((r) => r.valueMinor) }], v.lang, dollars(v), { horizontal: true }),
    numbers(t(v.lang, 'showNumbers'), table(t(v.lang, title), [t(v.lang, title === 'byGovernorate' ? 'governorate' : 'category'), t(v.lang, 'deliveries'), t(v.lang, 'value')],
      rows.map((r) => [name(r.key), v.f.count(r.deliveries), v.f.usd(r.valueMinor)]), { numeric: [1, 2], name: tableName })),
  ];
  // A donor sees no household reference at all, pseudonymous or not: it needs none to follow the money.
  const showRef = v.role !== 'donor';
  const headers = [t(v.lang, 'deliveredAt'), ...(showRef ? [t(v.lang, 'householdRef')] : []), t(v.lang, 'governorate'), t(v.lang, 'district'), t(v.lang, 'item'), t(v.lang, 'category'), t(v.lang, 'quantity'), t(v.lang, 'value')];
  const cells = (r: AssetRow) => [v.f.date(r.deliveredAt), ...(showRef ? [r.householdRef] : []), place(v.lang, r.governorate), place(v.lang, r.district), r.itemName, category(v.lang, r.category), v.f.count(r.quantity), v.f.usd(r.totalUsdMinor)];
  const search = el('input', { type: 'search', id: 'register-search', 'aria-describedby': 'register-count' });
  const count = el('p', { id: 'register-count', class: 'hint', 'aria-live': 'polite' });
  const holder = el('div', { class: 'scroll' });
  const render = () => {
    const q = search.value.trim().toLocaleLowerCase();
    const matching = q === '' ? ar.rows : ar.rows.filter((r) => cells(r).join(' ').toLocaleLowerCase().includes(q) || r.itemCode.toLocaleLowerCase().includes(q));
    const shown = matching.slice(0, PAGE_ROWS);
    holder.replaceChildren(table(t(v.lang, 'register'), headers, shown.map(cells), { numeric: [headers.length - 2, headers.length - 1], name: 'register' }));
    count.textContent = t(v.lang, 'shown', { shown: v.f.count(shown.length), matching: v.f.count(matching.length), total: v.f.count(ar.rows.length) });
  };
  search.addEventListener('input', render);
  render();
  const csv = el('button', { type: 'button', id: 'register-csv' }, t(v.lang, 'downloadCsv'));
  csv.addEventListener('click', () => void download(`/reports/asset-register?format=csv${v.asOfQuery.replace('?', '&')}`, `asset-register-${ar.ledgerPosition ?? 0}.csv`));
  return [
    figures(
      figure('assets.deliveries', t(v.lang, 'deliveries'), ar.totals.deliveries, v.f.count(ar.totals.deliveries)),
      figure('assets.value', t(v.lang, 'value'), ar.totals.totalUsdMinor, v.f.usd(ar.totals.totalUsdMinor)),
    ),
    el('div', { class: 'pair' },
      el('div', {}, ...breakdown('byGovernorate', tally(ar.rows, (r) => r.governorate), (k) => place(v.lang, k), 'assets-governorate')),
      el('div', {}, ...breakdown('byCategory', tally(ar.rows, (r) => r.category), (k) => category(v.lang, k), 'assets-category'))),
    el('h3', {}, t(v.lang, 'register')),
    el('div', { class: 'register-tools' }, el('label', { for: 'register-search' }, t(v.lang, 'search')), search, csv),
    count,
    holder,
  ];
}

export function beneficiariesPanel(v: View, b: Beneficiaries): Node[] {
  const stage = (name: string) => b.funnel.find((s) => s.stage === name);
  const enrolled = stage('enrolled');
  const statuses = (['enrolled', 'active', 'withdrawn', 'replaced'] as const).filter((s) => stage(s) !== undefined);
  const governorates = Object.keys(enrolled?.byGovernorate ?? {});
  return [
    figures(...statuses.map((s) => figure(`beneficiaries.${s}`, t(v.lang, s), stage(s)!.total, v.f.count(stage(s)!.total))),
      figure('beneficiaries.women', t(v.lang, 'women'), enrolled?.bySex.F ?? 0, v.f.count(enrolled?.bySex.F ?? 0)),
      figure('beneficiaries.men', t(v.lang, 'men'), enrolled?.bySex.M ?? 0, v.f.count(enrolled?.bySex.M ?? 0))),
    chart('bar', t(v.lang, 'byGovernorate'), governorates.map((g) => place(v.lang, g)),
      statuses.filter((s) => s !== 'enrolled').map((s) => ({ label: t(v.lang, s), values: governorates.map((g) => stage(s)!.byGovernorate[g] ?? 0) })), v.lang, (n) => v.f.count(n), { stacked: true }),
    numbers(t(v.lang, 'showNumbers'), table(t(v.lang, 'byGovernorate'), [t(v.lang, 'governorate'), ...statuses.map((s) => t(v.lang, s))],
      governorates.map((g) => [place(v.lang, g), ...statuses.map((s) => v.f.count(stage(s)!.byGovernorate[g] ?? 0))]), { numeric: statuses.map((_, i) => i + 1), name: 'beneficiaries-governorate' })),
  ];
}

const ROUNDS = ['baseline', 'midline', 'endline'] as const;

export function outcomesPanel(v: View, ind: Indicators): Node[] {
  const r = ind.rounds;
  return [
    figures(...ROUNDS.map((round) => figure(`outcomes.${round}.income`, `${t(v.lang, round)} — ${t(v.lang, 'income')}`, r[round].meanMonthlyIncomeUsdMinor, v.f.usd(r[round].meanMonthlyIncomeUsdMinor)))),
    chart('bar', t(v.lang, 'outcomesChart'), ROUNDS.map((round) => t(v.lang, round)), [
      { label: t(v.lang, 'income'), values: ROUNDS.map((round) => r[round].meanMonthlyIncomeUsdMinor ?? 0) },
      { label: t(v.lang, 'savings'), values: ROUNDS.map((round) => r[round].meanSavingsUsdMinor ?? 0) },
    ], v.lang, dollars(v)),
    numbers(t(v.lang, 'showNumbers'), table(t(v.lang, 'outcomesTitle'), [t(v.lang, 'round'), t(v.lang, 'surveyed'), t(v.lang, 'income'), t(v.lang, 'savings'), t(v.lang, 'business'), t(v.lang, 'employed')],
      ROUNDS.map((round) => [t(v.lang, round), v.f.count(r[round].householdsSurveyed), v.f.usd(r[round].meanMonthlyIncomeUsdMinor), v.f.usd(r[round].meanSavingsUsdMinor), v.f.share(r[round].shareBusinessOperating), v.f.share(r[round].shareEmployed)]),
      { numeric: [1, 2, 3, 4, 5], name: 'outcomes' })),
  ];
}

export function integrityPanel(v: View, checkpoint: { size: number; root: string; note: string }, verification: Verification | null): Node[] {
  const out: Node[] = [
    figures(
      figure('integrity.size', t(v.lang, 'treeSize'), checkpoint.size, v.f.count(checkpoint.size)),
      figure('integrity.root', t(v.lang, 'rootHash'), checkpoint.root, checkpoint.root),
    ),
    el('details', { class: 'numbers' }, el('summary', {}, t(v.lang, 'checkpoint')), el('pre', { dir: 'ltr', 'data-figure': 'integrity.note' }, checkpoint.note)),
  ];
  if (verification !== null) {
    const failure = verification.firstFailure;
    const text = verification.ok
      ? t(v.lang, 'verified', { events: v.f.count(verification.checkedEvents) })
      : t(v.lang, 'notVerified', { reason: failure ? `${failure.reason} @ ${failure.position}: ${failure.detail}` : '?' });
    const pack = el('button', { type: 'button', id: 'audit-pack' }, t(v.lang, 'auditPack'));
    pack.addEventListener('click', () => void download(`/ledger/export?size=${checkpoint.size}`, `peil-ledger-pack-${checkpoint.size}.ndjson`));
    out.push(el('h3', {}, t(v.lang, 'verification')), el('p', { class: verification.ok ? 'ok' : 'bad', 'data-figure': 'integrity.verified', 'data-value': String(verification.ok) }, text), pack);
  }
  return out;
}
