import { useState, type FormEvent } from 'react';
import type { ErrorBody } from '@shared/contract/errors';
import { ROLES, type Role } from '@shared/rbac/roles';
import { ErrorNotice, Field, clearFields, formText } from '../../components/form';
import { useMessages } from '../../i18n/use-messages';
import { useUsersStore } from '../../stores/app-stores';
import type { FieldIssues } from '../../stores/outcome';
import type { UserView } from '../../stores/users-store';

/** `users.create {username, password, role, active}`; the password field is emptied once sent. */
export function CreateUserForm({ onCreated }: { onCreated: (u: UserView) => void }) {
  const t = useMessages();
  const create = useUsersStore((s) => s.create);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody>();
  const [fields, setFields] = useState<FieldIssues>({});

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    setBusy(true);
    const active = (f.elements.namedItem('active') as HTMLInputElement | null)?.checked ?? true;
    const r = await create({ username: formText(f, 'username'), password: formText(f, 'password'), role: formText(f, 'role') as Role, active });
    setBusy(false);
    clearFields(f, 'password');
    setError(r.ok ? undefined : r.error);
    setFields(r.ok ? {} : r.fields);
    if (r.ok) {
      f.reset();
      onCreated(r.data);
    }
  };

  return (
    <section className="panel" data-testid="user-create">
      <h3>{t.users.createTitle}</h3>
      <form className="form inline" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t.users.username} name="username" issues={fields}>
          <input name="username" autoComplete="off" required data-testid="user-create-username" />
        </Field>
        <Field label={t.auth.password} name="password" issues={fields} hint={t.auth.passwordHint}>
          <input name="password" type="password" autoComplete="new-password" required data-testid="user-create-password" />
        </Field>
        <Field label={t.users.role} name="role" issues={fields}>
          <select name="role" defaultValue="Viewer" data-testid="user-create-role">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <label className="check">
          <input name="active" type="checkbox" defaultChecked data-testid="user-create-active" /> {t.users.createActive}
        </label>
        <button type="submit" className="primary" disabled={busy} data-testid="user-create-submit">
          {t.users.createSubmit}
        </button>
      </form>
      <ErrorNotice title={t.users.createFailed} error={error} testId="user-create-error" />
    </section>
  );
}
