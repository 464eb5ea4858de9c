import { download } from './api';
import { chart } from './charts';
import { el, figure, figures, numbers, table } from './dom';
import type { Formats } from './format';
import { category, place, t, type Key, type Lang } from './i18n';
import type { AssetRegister, AssetRow, AssetSummaryRow, Beneficiaries, GrantStatement, HouseholdCounts, Indicators, Verification } from './reports';

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
    const months = g.spendingByMonth;
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

const PAGE_ROWS = 50;

export function assetsPanel(v: View, ar: AssetRegister): Node[] {
  const breakdown = (title: Key, rows: Array<AssetSummaryRow & { key: string | null }>, name: (k: string | null) => string, tableName: string) => [
    chart('bar', t(v.lang, title), rows.map((r) => name(r.key)), [{ label: t(v.lang, 'value'), values: rows.map((r) => r.totalUsdMinor) }], v.lang, dollars(v), { horizontal: true }),
    numbers(t(v.lang, 'showNumbers'), table(t(v.lang, title), [t(v.lang, title === 'byGovernorate' ? 'governorate' : 'category'), t(v.lang, 'deliveries'), t(v.lang, 'quantity'), t(v.lang, 'value')],
      rows.map((r) => [name(r.key), v.f.count(r.deliveries), v.f.count(r.quantity), v.f.usd(r.totalUsdMinor)]), { numeric: [1, 2, 3], name: tableName })),
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
      el('div', {}, ...breakdown('byGovernorate', ar.summary.byGovernorate.map((r) => ({ ...r, key: r.governorate })), (k) => place(v.lang, k), 'assets-governorate')),
      el('div', {}, ...breakdown('byCategory', ar.summary.byCategory.map((r) => ({ ...r, key: r.category })), (k) => category(v.lang, k), 'assets-category'))),
    el('h3', {}, t(v.lang, 'register')),
    el('div', { class: 'register-tools' }, el('label', { for: 'register-search' }, t(v.lang, 'search')), search, csv),
    count,
    holder,
  ];
}

export function beneficiariesPanel(v: View, b: Beneficiaries): Node[] {
  const h = b.households;
  const governorates = Object.keys(h.byGovernorate);
  const count = (name: string, label: Key, n: number) => figure(`beneficiaries.${name}`, t(v.lang, label), n, v.f.count(n));
  const columns: Array<[Key, keyof HouseholdCounts]> = [['households', 'total'], ['women', 'F'], ['men', 'M'], ['active', 'active'], ['withdrawn', 'withdrawn'], ['replaced', 'replaced']];
  return [
    figures(
      count('total', 'enrolled', h.total), count('active', 'active', h.byStatus.active), count('withdrawn', 'withdrawn', h.byStatus.withdrawn),
      count('replaced', 'replaced', h.byStatus.replaced), count('women', 'women', h.bySex.F), count('men', 'men', h.bySex.M),
    ),
    chart('bar', t(v.lang, 'householdsBy'), governorates.map((g) => place(v.lang, g)), [
      { label: t(v.lang, 'women'), values: governorates.map((g) => h.byGovernorate[g]!.F) },
      { label: t(v.lang, 'men'), values: governorates.map((g) => h.byGovernorate[g]!.M) },
    ], v.lang, (n) => v.f.count(n), { stacked: true }),
    numbers(t(v.lang, 'showNumbers'), table(t(v.lang, 'householdsBy'), [t(v.lang, 'governorate'), ...columns.map(([label]) => t(v.lang, label))],
      governorates.map((g) => [place(v.lang, g), ...columns.map(([, key]) => v.f.count(h.byGovernorate[g]![key]))]), { numeric: columns.map((_, i) => i + 1), name: 'beneficiaries-governorate' })),
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
