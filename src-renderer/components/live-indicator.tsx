import { useMessages } from '../i18n/use-messages';
import { useConnectionStore } from '../stores/app-stores';

/** Whether pushed events reach this page, and if not, why. */
export function LiveIndicator() {
  const t = useMessages();
  const state = useConnectionStore((s) => s.state);
  const message = useConnectionStore((s) => s.error?.message);
  return (
    <div className="live" data-testid="live-indicator" data-state={state} title={message} role="status" aria-live="polite">
      <span className="live-dot" aria-hidden="true" />
      <span>
        {t.live.label}: {t.live[state]}
      </span>
    </div>
  );
}
