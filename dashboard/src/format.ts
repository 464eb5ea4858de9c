import type { Lang } from './i18n';

/** Numbers and dates in the reader's language, through Intl (Arabic as written in Lebanon). */
const LOCALES: Record<Lang, string> = { en: 'en-GB', ar: 'ar-LB' };

export function formats(lang: Lang) {
  const locale = LOCALES[lang];
  const usd = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const month = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return {
    locale,
    /** Integer US cents as dollars: exact, since cents / 100 has at most two decimals. */
    usd: (minor: number | null) => (minor === null ? '—' : usd.format(minor / 100)),
    count: (n: number | null) => (n === null ? '—' : count.format(n)),
    /** A report share ("0.3750") as a percentage. */
    share: (s: string | null) => (s === null ? '—' : percent.format(Number(s))),
    date: (iso: string | null) => (iso === null ? '—' : date.format(new Date(iso))),
    dateTime: (iso: string | null) => (iso === null ? '—' : `${dateTime.format(new Date(iso))} UTC`),
    /** "2025-10" → "Oct 2025". */
    month: (ym: string) => month.format(new Date(`${ym}-01T00:00:00Z`)),
  };
}

export type Formats = ReturnType<typeof formats>;
