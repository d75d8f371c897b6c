import { useEffect, useRef, useState } from 'react';
import { useMessages } from '../i18n/use-messages';
import { useAuthStore } from '../stores/app-stores';
import { isImplicitAppUser } from '../stores/auth-store';
import { ChangePasswordDialog } from '../views/auth/change-password-dialog';

/** Who is signed in, with which role, and their account menu. */
export function UserBadge() {
  const t = useMessages();
  const me = useAuthStore((s) => s.me);
  const logout = useAuthStore((s) => s.logout);
  const [open, setOpen] = useState(false);
  const [changing, setChanging] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  // The menu closes on a click elsewhere or Escape.
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const escape = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);

  if (!me) return null;
  const implicit = isImplicitAppUser(me);
  return (
    <div className="badge" ref={box}>
      <button type="button" className="badge-button" aria-haspopup="menu" aria-expanded={open} aria-label={t.badge.menu} data-testid="user-badge" onClick={() => setOpen(!open)}>
        <span className="badge-name" data-testid="user-badge-name">
          {me.username}
        </span>
        <span className="badge-role" data-testid="user-badge-role" data-role={me.role}>
          {me.role}
        </span>
      </button>
      {open ? (
        <div className="badge-menu" role="menu" data-testid="user-menu">
          {implicit ? <p className="badge-note">{t.badge.appUser}</p> : null}
          <a role="menuitem" href="#/account" data-testid="menu-account" onClick={() => setOpen(false)}>
            {t.badge.account}
          </a>
          <button
            type="button"
            role="menuitem"
            data-testid="menu-change-password"
            onClick={() => {
              setOpen(false);
              setChanging(true);
            }}
          >
            {t.badge.changePassword}
          </button>
          {implicit ? null : (
            <button
              type="button"
              role="menuitem"
              data-testid="menu-sign-out"
              onClick={() => {
                setOpen(false);
                void logout();
              }}
            >
              {t.badge.signOut}
            </button>
          )}
        </div>
      ) : null}
      {changing ? <ChangePasswordDialog onClose={() => setChanging(false)} /> : null}
    </div>
  );
}
