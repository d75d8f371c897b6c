import { INTL_TAG, type Locale, type Messages } from '../i18n';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Times travel as UTC ISO-8601 and are shown in the local zone (SPEC section 1). */
export function formatTime(iso: string, locale: Locale): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(INTL_TAG[locale], { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

export function formatValue(value: unknown, locale: Locale, t: Messages): string {
  if (value === undefined || value === null || value === '') return t.values.none;
  if (typeof value === 'boolean') return value ? t.values.yes : t.values.no;
  if (typeof value === 'number') return new Intl.NumberFormat(INTL_TAG[locale]).format(value);
  if (typeof value === 'string') return ISO.test(value) ? formatTime(value, locale) : value;
  return JSON.stringify(value);
}
