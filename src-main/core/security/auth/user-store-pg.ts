import type { PgPool } from '../../db/postgres';
import { changesOf, rowsOf } from '../../db/postgres/sql-executor';
import { USER_CHANGE_FIELDS, type SessionRow, type TokenRow, type UserChanges, type UserRow, type UserStorePort } from './user-store';

/** UserRow's columns as the fleet database stores them (`active` is a boolean there, 0/1 in the row). */
const USER = 'id, username, password_hash, role, active::int as active, created_at, updated_at, password_changed_at, last_login_at';
const SESSION = 'id, user_id, token_hash, created_at, expires_at, last_used_at, source';
const TOKEN = 'id, user_id, name, token_hash, created_at, expires_at, last_used_at, revoked_at';

const first = async <T>(rows: Promise<T[]>): Promise<T | undefined> => (await rows)[0];
const countOf = async (rows: Promise<{ n: number }[]>): Promise<number> => (await rows)[0]!.n;

/**
 * Users, sessions and API tokens in the fleet database: the same methods and meanings as
 * UserStore (user-store.ts), returning promises. Each method is one statement, so two nodes never
 * see half a write; the multi-step rules (the first Admin, ending sessions with a password change)
 * stay with the auth modules.
 */
export class PgUserStore implements UserStorePort {
  constructor(private readonly pool: PgPool) {}

  // Users

  byId(id: string): Promise<UserRow | undefined> {
    return first(rowsOf<UserRow>(this.pool, `select ${USER} from users where id = $1`, [id]));
  }

  byUsername(username: string): Promise<UserRow | undefined> {
    return first(rowsOf<UserRow>(this.pool, `select ${USER} from users where lower(username) = lower($1)`, [username]));
  }

  list(): Promise<UserRow[]> {
    return rowsOf<UserRow>(this.pool, `select ${USER} from users order by lower(username)`);
  }

  count(): Promise<number> {
    return countOf(rowsOf(this.pool, 'select count(*)::int as n from users'));
  }

  active(limit: number): Promise<UserRow[]> {
    return rowsOf<UserRow>(this.pool, `select ${USER} from users where active order by created_at limit $1`, [limit]);
  }

  activeAdmins(): Promise<number> {
    return countOf(rowsOf(this.pool, `select count(*)::int as n from users where active and role = 'Admin'`));
  }

  async insert(r: UserRow): Promise<void> {
    await this.pool.query(
      'insert into users(id, username, password_hash, role, active, created_at, updated_at, password_changed_at, last_login_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [r.id, r.username, r.password_hash, r.role, r.active === 1, r.created_at, r.updated_at, r.password_changed_at, r.last_login_at],
    );
  }

  async update(id: string, changes: UserChanges): Promise<void> {
    const fields = USER_CHANGE_FIELDS.filter((f) => changes[f] !== undefined);
    if (!fields.length) return;
    const values = fields.map((f) => (f === 'active' ? changes.active === 1 : changes[f]));
    await this.pool.query(`update users set ${fields.map((f, i) => `${f} = $${i + 2}`).join(', ')} where id = $1`, [id, ...values]);
  }

  async delete(id: string): Promise<void> {
    await this.pool.query('delete from users where id = $1', [id]);
  }

  // Sessions

  async insertSession(r: SessionRow): Promise<void> {
    await this.pool.query(`insert into sessions(${SESSION}) values ($1, $2, $3, $4, $5, $6, $7)`, [r.id, r.user_id, r.token_hash, r.created_at, r.expires_at, r.last_used_at, r.source]);
  }

  sessionByHash(hash: string): Promise<SessionRow | undefined> {
    return first(rowsOf<SessionRow>(this.pool, `select ${SESSION} from sessions where token_hash = $1`, [hash]));
  }

  sessionById(id: string): Promise<SessionRow | undefined> {
    return first(rowsOf<SessionRow>(this.pool, `select ${SESSION} from sessions where id = $1`, [id]));
  }

  async touchSession(id: string, now: number): Promise<void> {
    await this.pool.query('update sessions set last_used_at = $2 where id = $1', [id, now]);
  }

  deleteSession(id: string): Promise<number> {
    return changesOf(this.pool, 'delete from sessions where id = $1', [id]);
  }

  deleteSessionsOf(userId: string): Promise<number> {
    return changesOf(this.pool, 'delete from sessions where user_id = $1', [userId]);
  }

  /** Sessions that expired before `before` are gone for good. */
  pruneSessions(before: number): Promise<number> {
    return changesOf(this.pool, 'delete from sessions where expires_at < $1', [before]);
  }

  /** Unexpired sessions of active users (`user_active_sessions`). */
  liveSessions(now: number): Promise<number> {
    return countOf(rowsOf(this.pool, 'select count(*)::int as n from sessions s join users u on u.id = s.user_id where s.expires_at > $1 and u.active', [now]));
  }

  // API tokens

  async insertToken(r: TokenRow): Promise<void> {
    await this.pool.query(`insert into api_tokens(${TOKEN}) values ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      r.id, r.user_id, r.name, r.token_hash, r.created_at, r.expires_at, r.last_used_at, r.revoked_at,
    ]);
  }

  tokenByHash(hash: string): Promise<TokenRow | undefined> {
    return first(rowsOf<TokenRow>(this.pool, `select ${TOKEN} from api_tokens where token_hash = $1`, [hash]));
  }

  tokenById(id: string): Promise<TokenRow | undefined> {
    return first(rowsOf<TokenRow>(this.pool, `select ${TOKEN} from api_tokens where id = $1`, [id]));
  }

  tokensOf(userId: string): Promise<TokenRow[]> {
    return rowsOf<TokenRow>(this.pool, `select ${TOKEN} from api_tokens where user_id = $1 and revoked_at is null order by created_at, id`, [userId]);
  }

  /** One statement: of two nodes revoking at once, one gets the row, the other nothing. */
  revokeToken(userId: string, tokenId: string, now: number): Promise<TokenRow | undefined> {
    return first(
      rowsOf<TokenRow>(
        this.pool,
        `with live as (select ${TOKEN} from api_tokens where id = $1 and user_id = $2 and revoked_at is null for update)
         update api_tokens t set revoked_at = $3 from live where t.id = live.id returning ${TOKEN.split(', ').map((c) => `live.${c}`).join(', ')}`,
        [tokenId, userId, now],
      ),
    );
  }

  async touchToken(id: string, now: number): Promise<void> {
    await this.pool.query('update api_tokens set last_used_at = $2 where id = $1', [id, now]);
  }
}
