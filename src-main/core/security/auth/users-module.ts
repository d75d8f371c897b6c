import { userInfo } from 'node:os';
import { username as usernameSchema } from '@shared/contract/users';
import { permissionsOf } from '@shared/rbac/roles';
import { AppError, conflict, validationError } from '../../kernel/errors';
import type { Database } from 'better-sqlite3';
import { isLoopbackHost } from '../../kernel/loopback';
import { contractHandlers, type CoreModule } from '../../kernel/module';
import type { Clock, Logger } from '../../kernel/ports';
import type { AuditLog } from '../audit/audit-log';
import type { Authenticator } from '../../kernel/authenticator';
import { rbacMetrics, type RbacMetrics } from '../rbac/rbac-metrics';
import { createAppAuthenticator, createHttpAuthenticator, type AppAuthenticator } from './authenticators';
import type { ThrottlePolicy } from './login-throttle';
import type { ScryptParams } from './password';
import { UserService, userView } from './user-service';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../kernel/clock';

export interface UsersModuleOptions {
  /** DESKTOP_AGENT_ADMIN_USER / DESKTOP_AGENT_ADMIN_PASSWORD: the first Admin, used only while no user exists. */
  firstAdmin?: { username: string; password: string };
  scrypt?: ScryptParams;
  sessionTtlMs?: number;
  throttle?: ThrottlePolicy;
}

export interface UsersModule extends CoreModule {
  service: UserService;
  /** For the HTTP adapter. */
  authenticator: Authenticator;
  /** For the Electron IPC adapter: the principal of a window (see authenticators.ts). */
  app: AppAuthenticator;
  /** `rbac_denied_24h`, `top_denied_permissions`, `user_active_sessions` from stored data. */
  metrics(): RbacMetrics;
}

/** The OS account name, offered as the first Admin's username on the first-run screen. */
function osUsername(): string | null {
  try {
    const name = userInfo().username;
    return usernameSchema.safeParse(name).success ? name : null;
  } catch {
    return null;
  }
}

/** The desktop app, the CLI, or a loopback address (IPv4-mapped IPv6 included). */
export function isLocalSource(source: string): boolean {
  return source === 'ipc' || source === 'cli' || isLoopbackHost(source.replace(/^::ffff:/i, ''));
}

/** `since=24h` or an ISO time → epoch ms. */
export function parseSince(since: string, now: number): number {
  const span = /^(\d+)([smhd])$/.exec(since);
  if (span) return now - Number(span[1]) * { s: 1000, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS }[span[2] as 's' | 'm' | 'h' | 'd'];
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw validationError(`since '${since}' is not a time`, [{ path: 'since', message: 'is not a valid time' }]);
  return t;
}

export interface UsersModulePorts {
  db: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
}

/** Users, roles, sign-in, API tokens and the audit log (SPEC section 7). */
export function createUsersModule(services: UsersModulePorts, options: UsersModuleOptions = {}): UsersModule {
  const log = services.logger.child('RBAC');
  const users = new UserService({
    db: services.db,
    clock: services.clock,
    audit: services.audit,
    logger: log,
    scrypt: options.scrypt,
    sessionTtlMs: options.sessionTtlMs,
    throttle: options.throttle,
  });

  return {
    name: 'users',
    service: users,
    authenticator: createHttpAuthenticator(users),
    app: createAppAuthenticator(users),
    metrics: () => rbacMetrics(services.db, services.clock.now()),

    async start() {
      const first = options.firstAdmin;
      if (!first) return;
      const parsed = usernameSchema.safeParse(first.username);
      if (!parsed.success) {
        log.error(`DESKTOP_AGENT_ADMIN_USER '${first.username}' is not a valid username; no Admin was created`);
        return;
      }
      if (first.password.length < 8) {
        log.error('DESKTOP_AGENT_ADMIN_PASSWORD has fewer than 8 characters; no Admin was created');
        return;
      }
      const created = await users.createFirstAdmin(parsed.data, first.password);
      if (!created) {
        log.warn('DESKTOP_AGENT_ADMIN_PASSWORD is set but users exist already; it is ignored (unset it)');
        return;
      }
      services.audit.record({ user: created.username, action: 'users.create', permission: 'manage_users', resource: created.id, result: 'ok', source: 'startup', details: { username: created.username, role: 'Admin', from: 'DESKTOP_AGENT_ADMIN_PASSWORD' } });
      log.info(`Created the first Admin '${created.username}' from DESKTOP_AGENT_ADMIN_PASSWORD`);
    },

    handlers: contractHandlers({
      'auth.login': ({ username, password }, ctx) => users.login(username, password, ctx.source),

      'auth.logout': (_input, ctx) => {
        const p = ctx.principal;
        const ended = p.kind === 'user' && p.sessionId !== undefined && users.endSession(p.sessionId);
        if (ended && p.kind === 'user') services.audit.record({ user: p.username, action: 'auth.logout', result: 'ok', source: ctx.source });
        return { ok: true as const, ended };
      },

      'auth.me': (_input, ctx) => {
        const p = ctx.principal;
        if (p.kind !== 'user') throw new AppError('UNAUTHENTICATED', 'Not signed in');
        return {
          id: p.id,
          username: p.username,
          role: p.role,
          permissions: permissionsOf(p.role),
          via: p.via,
          session_expires_at: p.sessionId ? users.sessionExpiry(p.sessionId) : null,
        };
      },

      'auth.changePassword': async ({ current_password, new_password }, ctx) => {
        const p = ctx.principal;
        if (p.kind !== 'user') throw new AppError('UNAUTHENTICATED', 'Not signed in');
        const ended = await users.changeOwnPassword(p.id, current_password, new_password, ctx.source);
        ctx.noteAudit?.({ username: p.username, sessions_ended: ended });
        return { ok: true as const, sessions_ended: ended };
      },

      'auth.firstRunStatus': () => {
        const required = users.count() === 0;
        return { required, suggested_username: required ? osUsername() : null };
      },

      'auth.firstRun': async ({ username, password }, ctx) => {
        // Claiming the empty installation is for someone at this machine, even under --allow-remote.
        if (ctx.principal.kind !== 'user' && !isLocalSource(ctx.source)) {
          throw new AppError('FORBIDDEN', 'The first Admin can only be created from this computer (the app, or the API on a loopback address)', { reason: 'not_local' });
        }
        const created = await users.createFirstAdmin(username, password);
        if (!created) throw conflict('Desktop Agent is already set up: sign in, and add users in Users & Roles (POST /api/admin/users)', { reason: 'already_set_up' });
        ctx.noteAudit?.({ username: created.username, role: 'Admin' });
        log.info(`Created the first Admin '${created.username}' (first-run)`, { source: ctx.source });
        return users.openSession(created, ctx.source);
      },

      'users.list': () => ({ items: users.list() }),

      'users.create': async (input, ctx) => {
        const u = await users.create(input);
        ctx.noteAudit?.({ username: u.username, role: u.role, active: u.active === 1 });
        return userView(u);
      },

      'users.update': async ({ id, ...patch }, ctx) => {
        const { user, notes } = await users.update(id, patch);
        ctx.noteAudit?.(notes);
        return { ...userView(user), ...(typeof notes.sessions_ended === 'number' ? { sessions_ended: notes.sessions_ended } : {}) };
      },

      'users.delete': ({ id }, ctx) => {
        const u = users.delete(id);
        ctx.noteAudit?.({ username: u.username, role: u.role });
        return { deleted: true as const, id: u.id, username: u.username };
      },

      'users.createToken': ({ id, name, expires_at }, ctx) => {
        const { row, token, user } = users.createToken(id, name, expires_at);
        ctx.noteAudit?.({ username: user.username, token_id: row.id, token_name: row.name, expires_at: expires_at ?? null });
        const v = users.tokenView(row);
        return { id: v.id, name: v.name, token, created_at: v.created_at, expires_at: v.expires_at };
      },

      'users.listTokens': ({ id }) => ({ items: users.listTokens(id) }),

      'users.revokeToken': ({ id, token_id }, ctx) => {
        const { row, user } = users.revokeToken(id, token_id);
        ctx.noteAudit?.({ username: user.username, token_id: row.id, token_name: row.name });
        return { revoked: true as const, id: row.id };
      },

      'audit.list': ({ limit, action, user, result, since, cursor }) => {
        const items = services.audit.query({
          limit,
          action,
          user,
          result,
          since: since === undefined ? undefined : parseSince(since, services.clock.now()),
          beforeId: cursor === undefined ? undefined : Number(cursor),
        });
        return { items, next_cursor: items.length === limit ? String(items[items.length - 1]!.id) : null };
      },
    }),
  };
}
