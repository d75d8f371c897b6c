import type { Database } from 'better-sqlite3';
import { newId } from '@shared/domain/ids';
import type { Role } from '@shared/rbac/roles';
import { conflict, notFound } from '../../kernel/errors';
import type { Clock } from '../../kernel/ports';
import type { LoginThrottle } from './login-throttle';
import { hashPassword, type ScryptParams } from './password';
import { isUniqueViolation, type UserRow, type UserStore } from './user-store';

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  active: boolean;
}

export interface UserPatch {
  username?: string;
  password?: string;
  role?: Role;
  active?: boolean;
}

/** What an update changed, for the audit entry. */
export type UserChangeNotes = Record<string, unknown>;

export interface UserAccountsPorts {
  db: Database;
  store: UserStore;
  clock: Clock;
  throttle: LoginThrottle;
  scrypt: ScryptParams;
  /** A user was changed or deleted: credentials bound to them are checked again. */
  changed: () => void;
}

/**
 * The users themselves: create, the first Admin, rename / role / enable / password reset, delete.
 * Never zero active Admins; a new password or a disabled account ends the user's sessions. Each
 * change is checked and written in one transaction (the password is hashed before it).
 */
export class UserAccounts {
  constructor(private readonly o: UserAccountsPorts) {}

  /** A user by id or, as a convenience for people and scripts, by username. */
  find(ref: string): UserRow | undefined {
    return this.o.store.byId(ref) ?? this.o.store.byUsername(ref);
  }

  get(ref: string): UserRow {
    const u = this.find(ref);
    if (!u) throw notFound(`User '${ref}'`);
    return u;
  }

  async create(input: NewUser): Promise<UserRow> {
    const hash = await hashPassword(input.password, this.o.scrypt);
    return this.o.db.transaction(() => this.insertUser(input, hash))();
  }

  private insertUser(input: NewUser, hash: string): UserRow {
    const now = this.o.clock.now();
    const row: UserRow = {
      id: newId('usr', now),
      username: input.username,
      password_hash: hash,
      role: input.role,
      active: input.active ? 1 : 0,
      created_at: now,
      updated_at: now,
      password_changed_at: now,
      last_login_at: null,
    };
    try {
      this.o.store.insert(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`The username '${input.username}' is taken`, { field: 'username' });
      throw e;
    }
    return row;
  }

  /**
   * The first Admin, only while no user exists (first-run screen, DESKTOP_AGENT_ADMIN_PASSWORD).
   * Returns undefined when a user already exists. Checked and written in one transaction.
   */
  async createFirstAdmin(username: string, password: string): Promise<UserRow | undefined> {
    if (this.o.store.count() > 0) return undefined;
    const hash = await hashPassword(password, this.o.scrypt);
    return this.o.db.transaction(() => (this.o.store.count() > 0 ? undefined : this.insertUser({ username, password, role: 'Admin', active: true }, hash)))();
  }

  /** Rename, change role, enable/disable, reset password. Refuses to leave no active Admin. */
  async update(ref: string, patch: UserPatch): Promise<{ user: UserRow; notes: UserChangeNotes }> {
    const { store } = this.o;
    const hash = patch.password !== undefined ? await hashPassword(patch.password, this.o.scrypt) : undefined;
    const result = this.o.db.transaction(() => {
      const u = this.get(ref);
      const role = patch.role ?? u.role;
      const active = patch.active ?? u.active === 1;
      if (u.role === 'Admin' && u.active === 1 && (role !== 'Admin' || !active)) this.refuseLastAdmin(u, role !== 'Admin' ? `make '${u.username}' a ${role}` : `disable '${u.username}'`);
      const now = this.o.clock.now();
      const notes: UserChangeNotes = { username: u.username };
      const changes: Parameters<UserStore['update']>[1] = { updated_at: now };
      if (patch.username !== undefined && patch.username !== u.username) {
        changes.username = patch.username;
        notes.renamed = { from: u.username, to: patch.username };
      }
      if (role !== u.role) {
        changes.role = role;
        notes.role = { from: u.role, to: role };
      }
      if (active !== (u.active === 1)) {
        changes.active = active ? 1 : 0;
        notes.active = { from: u.active === 1, to: active };
      }
      if (hash) {
        changes.password_hash = hash;
        changes.password_changed_at = now;
        notes.password = 'reset';
      }
      try {
        store.update(u.id, changes);
      } catch (e) {
        if (isUniqueViolation(e)) throw conflict(`The username '${patch.username}' is taken`, { field: 'username' });
        throw e;
      }
      // A new password or a disabled account ends every session at once (tokens of a disabled
      // user are refused at use; they work again if the user is enabled).
      if (hash || (!active && u.active === 1)) notes.sessions_ended = store.deleteSessionsOf(u.id);
      // A new password or enabling the account lifts a sign-in back-off for it.
      if (hash || (active && u.active !== 1)) this.o.throttle.reset(u.username);
      return { user: store.byId(u.id)!, notes };
    })();
    this.o.changed();
    return result;
  }

  delete(ref: string): UserRow {
    const deleted = this.o.db.transaction(() => {
      const u = this.get(ref);
      if (u.role === 'Admin' && u.active === 1) this.refuseLastAdmin(u, `delete '${u.username}'`);
      this.o.store.delete(u.id);
      return u;
    })();
    this.o.changed();
    return deleted;
  }

  private refuseLastAdmin(u: UserRow, what: string): void {
    if (this.o.store.activeAdmins() <= 1) {
      throw conflict(`Cannot ${what}: '${u.username}' is the last active Admin. Make another user an active Admin first.`, { reason: 'last_admin' });
    }
  }
}
