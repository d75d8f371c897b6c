import { formatTime } from '../../components/format';
import { useMessages } from '../../i18n/use-messages';
import { useAuthStore, useLocaleStore } from '../../stores/app-stores';
import { TokensPanel } from '../tokens/tokens-panel';

/** The signed-in user's own page: who they are, and their own API tokens (any role). */
export function AccountView() {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const me = useAuthStore((s) => s.me);
  if (!me) return null;
  return (
    <>
      <h2>{t.account.title}</h2>
      <section className="panel" data-testid="account-facts">
        <dl className="facts">
          <dt>{t.account.username}</dt>
          <dd data-testid="account-username">{me.username}</dd>
          <dt>{t.account.role}</dt>
          <dd data-testid="account-role">{me.role}</dd>
          <dt>{t.account.via}</dt>
          <dd>{t.account.viaNames[me.via]}</dd>
          {me.session_expires_at ? (
            <>
              <dt>{t.account.sessionExpires}</dt>
              <dd>{formatTime(me.session_expires_at, locale)}</dd>
            </>
          ) : null}
          <dt>{t.account.permissions}</dt>
          <dd>
            <ul className="chips" data-testid="account-permissions">
              {me.permissions.map((p) => (
                <li key={p}>
                  <code className="code">{p}</code>
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      </section>
      <TokensPanel userId={me.id} username={me.username} title={t.tokens.mine} testId="my-tokens" />
    </>
  );
}
