import { useRef, useState } from 'react';
import { Dialog } from '../../components/dialog';
import { useMessages } from '../../i18n/use-messages';
import { useTokensStore } from '../../stores/app-stores';

type Copy = 'idle' | 'copied' | 'failed';

/**
 * The one place a new API token is shown: once, with a copy button and the warning that it cannot
 * be shown again. Closing drops it from the page's memory; the core keeps only its hash.
 */
export function TokenRevealDialog() {
  const t = useMessages();
  const revealed = useTokensStore((s) => s.revealed);
  const dismissed = useTokensStore((s) => s.revealDismissed);
  const field = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<Copy>('idle');
  if (!revealed) return null;

  const close = () => {
    setCopy('idle');
    dismissed();
  };
  const copyToken = async () => {
    try {
      await navigator.clipboard.writeText(revealed.token.token);
      setCopy('copied');
    } catch {
      // No clipboard permission (a locked-down window): select the text and use the copy command.
      field.current?.select();
      setCopy(document.execCommand('copy') ? 'copied' : 'failed');
    }
  };

  return (
    <Dialog title={t.tokens.createdTitle} onClose={close} testId="token-reveal" wide>
      <p className="dialog-text">{t.tokens.createdFor(revealed.token.name, revealed.username)}</p>
      <p className="notice warn" role="alert" data-testid="token-reveal-warning">
        {t.tokens.createdWarning}
      </p>
      <div className="token-box">
        <input ref={field} readOnly className="token-value" value={revealed.token.token} aria-label={t.tokens.createdTitle} data-testid="token-value" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="primary" onClick={() => void copyToken()} data-testid="token-copy">
          {t.tokens.copy}
        </button>
      </div>
      {copy !== 'idle' ? (
        <p className={copy === 'copied' ? 'notice ok' : 'notice error'} role="status" data-testid="token-copy-state" data-state={copy}>
          {copy === 'copied' ? t.tokens.copied : t.tokens.copyFailed}
        </p>
      ) : null}
      <p className="field-hint">
        {t.tokens.usage}: <code className="code">Authorization: Bearer …</code>
      </p>
      <div className="dialog-buttons">
        <button type="button" className="primary" onClick={close} data-testid="token-reveal-close">
          {t.tokens.done}
        </button>
      </div>
    </Dialog>
  );
}
