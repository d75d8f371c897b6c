import { useMessages } from '../i18n/use-messages';
import { LanguageSwitch } from './language-switch';
import { LiveIndicator } from './live-indicator';

export function Header() {
  const t = useMessages();
  return (
    <header className="app-header">
      <h1 data-testid="app-title">{t.app.title}</h1>
      <div className="header-tools">
        <LiveIndicator />
        <LanguageSwitch />
      </div>
    </header>
  );
}
