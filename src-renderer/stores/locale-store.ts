import { createStore } from 'zustand/vanilla';
import { isLocale, preferredLocale, type Locale } from '../i18n';

export interface LocaleState {
  locale: Locale;
  localeChanged(locale: Locale): void;
}

/** Where the choice is kept: localStorage in the page (a display preference, not a secret). */
export interface PreferenceStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const LOCALE_KEY = 'desktop-agent.locale';

export function createLocaleStore(storage: PreferenceStorage | undefined, languages: readonly string[]) {
  const saved = readSafely(storage);
  return createStore<LocaleState>()((set) => ({
    locale: isLocale(saved) ? saved : preferredLocale(languages),
    localeChanged(locale) {
      try {
        storage?.setItem(LOCALE_KEY, locale);
      } catch {
        // Storage can be full or disabled; the choice then lasts for this page only.
      }
      set({ locale });
    },
  }));
}

function readSafely(storage: PreferenceStorage | undefined): string | null {
  try {
    return storage?.getItem(LOCALE_KEY) ?? null;
  } catch {
    return null;
  }
}
