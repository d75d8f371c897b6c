import { useMessages } from '../i18n/use-messages';
import { useAllowedViews } from '../stores/app-stores';
import { NAV_VIEWS, type ViewName } from '../views';

/** The views the signed-in user's role may open; the core refuses the others anyway. */
export function Nav({ current }: { current: ViewName }) {
  const t = useMessages();
  const allowed = useAllowedViews();
  return (
    <nav className="app-nav" aria-label={t.app.navLabel} data-testid="nav">
      <ul>
        {NAV_VIEWS.filter((name) => allowed.includes(name)).map((name) => (
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
