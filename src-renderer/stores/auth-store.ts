import type { Output } from '@shared/contract';
import type { Envelope, ErrorBody } from '@shared/contract/errors';
import type { Permission } from '@shared/rbac/roles';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { fieldIssues, outcomeOf, retryAfterSeconds, type FieldIssues, type Outcome } from './outcome';

export type Me = Output<'auth.me'>;

/**
 * Where the page stands with the core: asking (`checking`), nobody exists yet (`first-run`),
 * sign-in needed (`login`), signed in, or the core could not be asked (`unreachable`).
 */
export type AuthPhase = 'checking' | 'first-run' | 'login' | 'signed-in' | 'unreachable';

/** Why the sign-in screen is shown again, said on it. */
export type AuthNotice = 'signed-out' | 'password-changed' | 'session-ended' | 'already-set-up';

/** The sign-in or first-run form: busy, the refusal, problems per field, and a 429's end of wait. */
export interface AuthForm {
  busy: boolean;
  error?: ErrorBody;
  fields: FieldIssues;
  /** Epoch ms until which the core refuses sign-ins (from `details.retry_after_s`). */
  retryUntil?: number;
}

export interface AuthState {
  phase: AuthPhase;
  me?: Me;
  suggestedUsername: string | null;
  notice?: AuthNotice;
  /** Why the core could not be asked who we are (phase `unreachable`). */
  error?: ErrorBody;
  form: AuthForm;
  /** `auth.me`; on 401 `auth.firstRunStatus` decides between the first-run and the sign-in screen. */
  start(notice?: AuthNotice): Promise<void>;
  login(username: string, password: string): Promise<void>;
  firstRun(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  changePassword(currentPassword: string, newPassword: string): Promise<Outcome<Output<'auth.changePassword'>>>;
  /** Reads `auth.me` again in place (the user's own role or name changed). */
  refresh(): Promise<void>;
  /** A call was answered 401 while signed in: the session ended elsewhere (expiry, reset, disabled). */
  sessionLost(): void;
}

const IDLE: AuthForm = { busy: false, fields: {} };

/** Whether the signed-in user's role holds a permission (to hide what the server would refuse). */
export function can(me: Me | undefined, permission: Permission): boolean {
  return me?.permissions.includes(permission) ?? false;
}

/**
 * The desktop app's only user is signed in implicitly (no session of its own): signing out would
 * sign them straight in again, so the badge offers no sign-out then (decision 0009).
 */
export function isImplicitAppUser(me: Me | undefined): boolean {
  return me?.via === 'ipc' && me.session_expires_at === null;
}

/**
 * The signed-in user as the core sees them. The page never holds a session token: over HTTP it is
 * the HttpOnly cookie the server sets, over IPC main keeps it per window; the answers of
 * `auth.login` and `auth.firstRun` are read for success only and not kept.
 */
export function createAuthStore(client: AgentClient, now: () => number = Date.now) {
  return createStore<AuthState>()((set, get) => {
    // Only the latest check may decide (a sign-in can finish while an older check is in flight).
    let checks = 0;

    const start = async (notice?: AuthNotice) => {
      const mine = ++checks;
      if (get().phase !== 'checking') set({ phase: 'checking' });
      const me = await client.call('auth.me', {});
      if (mine !== checks) return;
      if (me.ok) return set({ phase: 'signed-in', me: me.data, notice: undefined, error: undefined, form: IDLE });
      if (me.error.code !== 'UNAUTHENTICATED') return set({ phase: 'unreachable', me: undefined, error: me.error });
      const first = await client.call('auth.firstRunStatus', {});
      if (mine !== checks) return;
      // Once a user exists the status is not public (401): that, too, means "sign in".
      const required = first.ok && first.data.required;
      set({
        phase: required ? 'first-run' : 'login',
        me: undefined,
        suggestedUsername: required ? first.data.suggested_username : null,
        notice,
        error: undefined,
        form: { ...IDLE, retryUntil: get().form.retryUntil },
      });
    };

    /** Sends a sign-in form; a success asks `auth.me` again, a refusal stays on the form. */
    const submit = async (send: () => Promise<Envelope<unknown>>, onRefused?: (error: ErrorBody) => boolean) => {
      if (get().form.busy) return;
      set({ form: { ...IDLE, busy: true }, notice: undefined });
      const r = await send();
      if (r.ok) return start();
      if (onRefused?.(r.error)) return;
      const wait = r.error.code === 'RATE_LIMITED' ? retryAfterSeconds(r.error) : undefined;
      set({ form: { busy: false, error: r.error, fields: fieldIssues(r.error), retryUntil: wait === undefined ? undefined : now() + wait * 1000 } });
    };

    return {
      phase: 'checking',
      suggestedUsername: null,
      form: IDLE,
      start,
      login: (username, password) => submit(() => client.call('auth.login', { username, password })),
      firstRun: (username, password) =>
        submit(
          () => client.call('auth.firstRun', { username, password }),
          (error) => {
            // Someone finished the set-up first: the sign-in screen says so.
            if (error.code !== 'CONFLICT') return false;
            void start('already-set-up');
            return true;
          },
        ),
      async logout() {
        await client.call('auth.logout', {});
        await start('signed-out');
      },
      async changePassword(currentPassword, newPassword) {
        const r = outcomeOf(await client.call('auth.changePassword', { current_password: currentPassword, new_password: newPassword }));
        // Every session of the user ended: sign in again with the new password.
        if (r.ok) await start('password-changed');
        return r;
      },
      async refresh() {
        const me = await client.call('auth.me', {});
        if (me.ok) set({ me: me.data });
        else if (me.error.code === 'UNAUTHENTICATED') await start('session-ended');
      },
      sessionLost() {
        if (get().phase === 'signed-in') void start('session-ended');
      },
    };
  });
}
