import type { ErrorBody } from '@shared/contract/errors';
import { useMessages } from '../i18n/use-messages';
import type { QueryStatus } from '../stores/query';
import { missingPermission } from '../stores/query';

/** The honest sentence for a query that has no data to show (yet). */
export function QueryMessage({ status, error, binding, onReload }: { status: QueryStatus; error?: ErrorBody; binding: string; onReload?: () => void }) {
  const t = useMessages();
  switch (status) {
    case 'unavailable':
      return (
        <div className="notice" data-testid="state-unavailable">
          <p>{t.state.unavailable}</p>
          <p className="detail">{t.state.unavailableDetail(binding)}</p>
        </div>
      );
    case 'loading':
      return <p className="notice" data-testid="state-loading">{t.state.loading}</p>;
    case 'unauthenticated':
      return (
        <div className="notice" data-testid="state-unauthenticated">
          <p>{t.state.signin}</p>
          <p className="detail">{t.state.signinDetail}</p>
        </div>
      );
    case 'forbidden':
      return <p className="notice" data-testid="state-forbidden">{t.state.forbidden(missingPermission(error))}</p>;
    case 'error':
      return (
        <div className="notice error" data-testid="state-error" role="alert">
          <p>
            {t.state.error}: {error?.message}
            {error?.code ? <code className="code"> {error.code}</code> : null}
          </p>
          {onReload ? (
            <button type="button" onClick={onReload}>
              {t.state.reload}
            </button>
          ) : null}
        </div>
      );
    case 'ready':
      return null;
  }
}
