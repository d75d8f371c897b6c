import { useMessages } from '../i18n/use-messages';
import { useAuthStore } from '../stores/app-stores';
import { LanguageSwitch } from './language-switch';
import { LiveIndicator } from './live-indicator';
import { UserBadge } from './user-badge';

export function Header() {
  const t = useMessages();
  const signedIn = useAuthStore((s) => s.phase === 'signed-in');
  return (
    <header className="app-header">
      <h1 data-testid="app-title">{t.app.title}</h1>
      <div className="header-tools">
        {signedIn ? <LiveIndicator /> : null}
        <LanguageSwitch />
        {signedIn ? <UserBadge /> : null}
      </div>
    </header>
  );
}
