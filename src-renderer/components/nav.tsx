import { useMessages } from '../i18n/use-messages';
import { VIEW_NAMES, type ViewName } from '../views';

export function Nav({ current }: { current: ViewName }) {
  const t = useMessages();
  return (
    <nav className="app-nav" aria-label={t.app.navLabel} data-testid="nav">
      <ul>
        {VIEW_NAMES.map((name) => (
          <li key={name}>
            <a href={`#/${name}`} data-testid={`nav-${name}`} aria-current={name === current ? 'page' : undefined}>
              {t.nav[name]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
