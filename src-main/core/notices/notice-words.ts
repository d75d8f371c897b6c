import { translate, type Locale } from '@shared/i18n';
import type { DeskBadge, DeskNotice } from './desk-notices';

/** A notice with its codes said in a language: what a host shows (and what its log and tests read). */
export type NoticeInWords = Omit<DeskNotice, 'title' | 'body' | 'actions'> & { title: string; body: string; actions: { action: DeskNotice['actions'][number]['action']; label: string }[] };

export function noticeInWords(n: DeskNotice, locale: Locale): NoticeInWords {
  return { ...n, title: translate(locale, n.title), body: translate(locale, n.body), actions: n.actions.map((a) => ({ action: a.action, label: translate(locale, a.label) })) };
}

export type BadgeInWords = Omit<DeskBadge, 'tooltip' | 'header' | 'items'> & { tooltip: string; header: string; items: { approvalId: string; label: string; route: DeskBadge['items'][number]['route'] }[] };

export function badgeInWords(b: DeskBadge, locale: Locale): BadgeInWords {
  return { ...b, tooltip: translate(locale, b.tooltip), header: translate(locale, b.header), items: b.items.map((i) => ({ ...i, label: translate(locale, i.label) })) };
}
