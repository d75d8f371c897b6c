import { LOCALES } from '../i18n';
import { useMessages } from '../i18n/use-messages';
import { useLocaleStore } from '../stores/app-stores';

export function LanguageSwitch() {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const localeChanged = useLocaleStore((s) => s.localeChanged);
  return (
    <div className="lang" role="group" aria-label={t.language.label}>
      {LOCALES.map((l) => (
        <button key={l} type="button" lang={l} data-testid={`lang-${l}`} aria-pressed={locale === l} onClick={() => localeChanged(l)}>
          {t.language[l]}
        </button>
      ))}
    </div>
  );
}
