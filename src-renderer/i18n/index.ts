import { isLocale, type Locale } from '@shared/i18n';

/** The renderer's side of the shared catalogue (src-shared/i18n): the same texts the hosts use. */
export { LOCALES, isLocale, messagesFor, type Locale, type Messages } from '@shared/i18n';

/** The first of the reader's languages we have; Japanese otherwise (the guide is Japanese). */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'ja';
}

/** BCP 47 tag for dates and numbers shown in the local time zone. */
export const INTL_TAG: Record<Locale, string> = { ja: 'ja-JP', en: 'en-US' };
