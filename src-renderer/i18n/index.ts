import { en } from './en';
import { ja, type Messages } from './ja';

export type Locale = 'ja' | 'en';
export const LOCALES: readonly Locale[] = ['ja', 'en'];
export type { Messages };

const MESSAGES: Record<Locale, Messages> = { ja, en };

export function messagesFor(locale: Locale): Messages {
  return MESSAGES[locale];
}

export function isLocale(v: unknown): v is Locale {
  return v === 'ja' || v === 'en';
}

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
