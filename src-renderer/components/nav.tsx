import { useMessages } from '../i18n/use-messages';
import { useAllowedViews, useApprovalsStore } from '../stores/app-stores';
import { NAV_VIEWS, type ViewName } from '../views';

/** The views the signed-in user's role may open; the core refuses the others anyway. */
export function Nav({ current }: { current: ViewName }) {
  const t = useMessages();
  const allowed = useAllowedViews();
  // Requests waiting for a person, kept live by the approvals store from sign-in on.
  const waiting = useApprovalsStore((s) => s.items.filter((a) => a.status === 'pending').length);
  return (
    <nav className="app-nav" aria-label={t.app.navLabel} data-testid="nav">
      <ul>
        {NAV_VIEWS.filter((name) => allowed.includes(name)).map((name) => (
          <li key={name}>
            <a href={`#/${name}`} data-testid={`nav-${name}`} aria-current={name === current ? 'page' : undefined}>
              {t.nav[name]}
            </a>
            {name === 'approvals' && waiting > 0 ? (
              <span className="nav-count" aria-label={t.approvals.navCount(waiting)} data-testid="nav-approvals-count">
                {waiting}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </nav>
  );
}
