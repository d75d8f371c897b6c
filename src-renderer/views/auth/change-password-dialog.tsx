import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/dialog';
import { ErrorNotice, Field, NewPasswordFields, clearFields, formText, passwordsMatch } from '../../components/form';
import { useMessages } from '../../i18n/use-messages';
import { useAuthStore } from '../../stores/app-stores';
import type { FieldIssues } from '../../stores/outcome';
import type { ErrorBody } from '@shared/contract/errors';

/** `auth.changePassword`: every session ends, so a success leads back to the sign-in screen. */
export function ChangePasswordDialog({ onClose }: { onClose: () => void }) {
  const t = useMessages();
  const changePassword = useAuthStore((s) => s.changePassword);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody>();
  const [fields, setFields] = useState<FieldIssues>({});
  const [mismatch, setMismatch] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    const next = formText(f, 'new_password');
    if (!passwordsMatch(f, 'new_password')) return setMismatch(true);
    setMismatch(false);
    setBusy(true);
    const r = await changePassword(formText(f, 'current_password'), next);
    setBusy(false);
    if (r.ok) return onClose();
    clearFields(f, 'current_password');
    setError(r.error);
    setFields(r.fields);
  };

  return (
    <Dialog title={t.password.title} onClose={onClose} testId="change-password-dialog">
      <p className="dialog-text">{t.password.note}</p>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t.password.current} name="current_password" issues={fields}>
          <input name="current_password" type="password" autoComplete="current-password" data-testid="current-password" />
        </Field>
        <NewPasswordFields
          name="new_password"
          issues={fields}
          mismatch={mismatch}
          testId="new-password"
          mismatchTestId="password-mismatch"
        />
        <ErrorNotice title={t.password.failed} error={error} testId="change-password-error" />
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>
            {t.common.cancel}
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="change-password-submit">
            {busy ? t.common.busy : t.password.submit}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
