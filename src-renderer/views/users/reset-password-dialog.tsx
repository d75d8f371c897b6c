import { useState, type FormEvent } from 'react';
import type { ErrorBody } from '@shared/contract/errors';
import { Dialog } from '../../components/dialog';
import { ErrorNotice, NewPasswordFields, formText, passwordsMatch } from '../../components/form';
import { useMessages } from '../../i18n/use-messages';
import { useUsersStore } from '../../stores/app-stores';
import type { FieldIssues } from '../../stores/outcome';
import type { UserView } from '../../stores/users-store';

/** An Admin sets a new password for a user (`users.update {id, password}`); the user's sessions end. */
export function ResetPasswordDialog({ user, onClose }: { user: UserView; onClose: (done: boolean) => void }) {
  const t = useMessages();
  const update = useUsersStore((s) => s.update);
  const dismissListError = useUsersStore((s) => s.actionErrorDismissed);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody>();
  const [fields, setFields] = useState<FieldIssues>({});
  const [mismatch, setMismatch] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    const password = formText(f, 'password');
    if (!passwordsMatch(f, 'password')) return setMismatch(true);
    setMismatch(false);
    setBusy(true);
    const r = await update(user.id, { password });
    setBusy(false);
    if (r.ok) return onClose(true);
    // The refusal is shown here, beside the form, not again above the list.
    dismissListError();
    setError(r.error);
    setFields(r.fields);
  };

  return (
    <Dialog title={t.users.resetTitle(user.username)} onClose={() => onClose(false)} testId="reset-password-dialog">
      <p className="dialog-text">{t.users.resetNote}</p>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <NewPasswordFields
          name="password"
          issues={fields}
          mismatch={mismatch}
          testId="reset-password"
        />
        <ErrorNotice title={t.users.changeFailed(user.username)} error={error} testId="reset-password-error" />
        <div className="dialog-buttons">
          <button type="button" onClick={() => onClose(false)}>
            {t.common.cancel}
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="reset-password-submit">
            {t.users.resetSubmit}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
