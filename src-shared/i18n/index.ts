import { en } from './en';
import { ja, type Messages } from './ja';

/**
 * The one ja/en catalogue: the renderer reads it as objects (`t.nav.runs`), the hosts translate
 * the core's codes through it (text.ts).
 */
export type Locale = 'ja' | 'en';
export const LOCALES: readonly Locale[] = ['ja', 'en'];
export type { Messages };

export const CATALOGUE: Readonly<Record<Locale, Messages>> = { ja, en };

export function messagesFor(locale: Locale): Messages {
  return CATALOGUE[locale];
}

export function isLocale(v: unknown): v is Locale {
  return v === 'ja' || v === 'en';
}

/** The language of the desktop's locale (`ja-JP` → ja), English for any other. */
export function systemLocale(tag: string): Locale {
  return tag.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export { text, translate, bilingual, isTextCode, type Text, type TextCode, type TextParams } from './text';
