import { useEffect, useState } from 'react';
import { ROLES } from '@shared/rbac/roles';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorNotice } from '../../components/form';
import { formatTime } from '../../components/format';
import { QueryMessage } from '../../components/query-message';
import type { Messages } from '../../i18n';
import { useMessages, type Said } from '../../i18n/use-messages';
import { useAuthStore, useLocaleStore, useUsersStore } from '../../stores/app-stores';
import { can } from '../../stores/auth-store';
import type { UserView } from '../../stores/users-store';
import { TokensPanel } from '../tokens/tokens-panel';
import { CreateUserForm } from './create-user-form';
import { ResetPasswordDialog } from './reset-password-dialog';
import { Table } from '../../components/table';

/** Users & Roles (manage_users): add, change role, disable/enable, reset password, delete, API tokens. */
export function UsersView() {
  const t = useMessages();
  const locale = useLocaleStore((s) => s.locale);
  const myId = useAuthStore((s) => s.me?.id);
  // Only a role that may add users sees the form (a Runner opening #/users sees the core's 403).
  const mayManage = useAuthStore((s) => can(s.me, 'manage_users'));
  const status = useUsersStore((s) => s.status);
  const error = useUsersStore((s) => s.error);
  const items = useUsersStore((s) => s.items);
  const busyId = useUsersStore((s) => s.busyId);
  const actionError = useUsersStore((s) => s.actionError);
  const load = useUsersStore((s) => s.load);
  const update = useUsersStore((s) => s.update);
  const remove = useUsersStore((s) => s.remove);
  // Kept as words to say, so a change of language re-words it.
  const [notice, setNotice] = useState<Said>();
  const [deleting, setDeleting] = useState<UserView>();
  const [resetting, setResetting] = useState<UserView>();
  const [tokensOf, setTokensOf] = useState<UserView>();

  useEffect(() => {
    void load();
  }, [load]);

  const failedUser = actionError ? items.find((u) => u.id === actionError.userId)?.username ?? actionError.userId : '';
  const change = async (u: UserView, patch: Parameters<typeof update>[1]) => {
    setNotice(undefined);
    await update(u.id, patch);
  };
  const confirmDelete = async () => {
    if (!deleting) return;
    const r = await remove(deleting.id);
    if (r.ok) {
      const name = deleting.username;
      setNotice(() => (m: Messages) => m.users.deleted(name));
      if (tokensOf?.id === deleting.id) setTokensOf(undefined);
    }
    setDeleting(undefined);
  };

  return (
    <>
      <h2>{t.users.title}</h2>
      {mayManage ? <CreateUserForm onCreated={(u) => setNotice(() => (m: Messages) => m.users.added(u.username, u.role))} /> : null}
      <section className="panel" data-testid="users-panel" data-state={status}>
        <h3>
          {t.users.listTitle}
          {status === 'ready' ? <span className="count"> {t.state.count(items.length)}</span> : null}
        </h3>
        {notice ? (
          <p className="notice ok" role="status" data-testid="users-notice">
            {notice(t)}
          </p>
        ) : null}
        <ErrorNotice title={t.users.changeFailed(failedUser)} error={actionError?.error} testId="users-action-error" />
        {status !== 'ready' ? (
          <QueryMessage status={status} error={error} binding="GET /api/admin/users" onReload={() => void load()} />
        ) : items.length === 0 ? (
          <p className="notice">{t.users.empty}</p>
        ) : (
          <Table testId="users-table" columns={[t.users.username, t.users.role, t.users.state, t.users.lastLogin, t.users.created, t.users.actions]}>
            {items.map((u) => (
              <tr key={u.id} data-testid="user-row" data-username={u.username} data-active={u.active} aria-busy={busyId === u.id}>
                <td>
                  <span className="username">{u.username}</span>
                  {u.id === myId ? <span className="muted">{t.users.you}</span> : null}
                </td>
                <td>
                  <select aria-label={t.users.roleOf(u.username)} value={u.role} disabled={busyId === u.id} onChange={(e) => void change(u, { role: e.target.value })} data-testid="user-role">
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <span className={u.active ? 'pill ok' : 'pill off'} data-testid="user-state">
                    {u.active ? t.users.active : t.users.disabled}
                  </span>
                </td>
                <td>{u.last_login_at ? formatTime(u.last_login_at, locale) : t.common.never}</td>
                <td>{formatTime(u.created_at, locale)}</td>
                <td className="actions">
                  <button type="button" className="small" disabled={busyId === u.id} onClick={() => void change(u, { active: !u.active })} data-testid="user-toggle-active">
                    {u.active ? t.users.disable : t.users.enable}
                  </button>
                  <button type="button" className="small" onClick={() => setResetting(u)} data-testid="user-reset-password">
                    {t.users.resetPassword}
                  </button>
                  <button type="button" className="small" aria-pressed={tokensOf?.id === u.id} onClick={() => setTokensOf(tokensOf?.id === u.id ? undefined : u)} data-testid="user-tokens">
                    {t.users.tokens}
                  </button>
                  <button type="button" className="small danger" onClick={() => setDeleting(u)} data-testid="user-delete">
                    {t.users.delete}
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>
      {tokensOf ? <TokensPanel key={tokensOf.id} userId={tokensOf.id} username={tokensOf.username} title={t.tokens.title(tokensOf.username)} testId="user-tokens-panel" /> : null}
      {deleting ? (
        <ConfirmDialog
          title={t.users.deleteTitle}
          message={t.users.deleteConfirm(deleting.username)}
          confirmLabel={t.users.delete}
          cancelLabel={t.common.cancel}
          busy={busyId === deleting.id}
          onConfirm={() => void confirmDelete()}
          onCancel={() => setDeleting(undefined)}
        />
      ) : null}
      {resetting ? (
        <ResetPasswordDialog
          user={resetting}
          onClose={(done) => {
            const name = resetting.username;
            if (done) setNotice(() => (m: Messages) => m.users.resetDone(name));
            setResetting(undefined);
          }}
        />
      ) : null}
    </>
  );
}
