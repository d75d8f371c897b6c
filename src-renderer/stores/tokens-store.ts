import type { Output } from '@shared/contract';
import type { ErrorBody } from '@shared/contract/errors';
import { createStore } from 'zustand/vanilla';
import type { AgentClient } from '@shared/client/agent-client';
import { outcomeOf, type Outcome } from './outcome';
import { resultOf, type QueryStatus } from './query';

export type TokenView = Output<'users.listTokens'>['items'][number];
export type CreatedToken = Output<'users.createToken'>;

export interface TokenList {
  status: QueryStatus;
  items: TokenView[];
  error?: ErrorBody;
}

export interface TokensState {
  /** API tokens by user id (names and dates; the core never answers a token twice). */
  byUser: Record<string, TokenList>;
  /** The token just created, for the one dialog that shows it; dropped when the dialog closes. */
  revealed?: { userId: string; username: string; token: CreatedToken };
  load(userId: string): Promise<void>;
  create(userId: string, username: string, name: string, expiresAt?: string): Promise<Outcome<CreatedToken>>;
  revoke(userId: string, tokenId: string): Promise<Outcome<Output<'users.revokeToken'>>>;
  revealDismissed(): void;
  reset(): void;
}

/** When a new token stops working: never, after a number of days, or at the end of a chosen day. */
export type TokenExpiry = { kind: 'never' } | { kind: 'days'; days: number } | { kind: 'date'; date: string };

/**
 * The `expires_at` to send, as UTC ISO-8601: days count from `now`; a date (`YYYY-MM-DD` from a
 * date field) means the end of that day in the local zone. Undefined for "never"; an error text
 * key when the date is not in the future.
 */
export function expiresAtOf(expiry: TokenExpiry, now: number): { ok: true; value?: string } | { ok: false; problem: 'date-invalid' | 'date-past' } {
  if (expiry.kind === 'never') return { ok: true };
  if (expiry.kind === 'days') return { ok: true, value: new Date(now + expiry.days * 86_400_000).toISOString() };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expiry.date);
  if (!m) return { ok: false, problem: 'date-invalid' };
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1).getTime() - 1000;
  if (Number.isNaN(end)) return { ok: false, problem: 'date-invalid' };
  if (end <= now) return { ok: false, problem: 'date-past' };
  return { ok: true, value: new Date(end).toISOString() };
}

/**
 * API tokens per user: an Admin's for anyone, anyone's own ("My API tokens"; the core lets a user
 * manage their own tokens through the procedures' `selfField`).
 */
export function createTokensStore(client: AgentClient) {
  return createStore<TokensState>()((set, get) => {
    const put = (userId: string, list: TokenList) => set({ byUser: { ...get().byUser, [userId]: list } });

    const load = async (userId: string) => {
      if (!get().byUser[userId]) put(userId, { status: 'loading', items: [] });
      const r = resultOf(await client.call('users.listTokens', { id: userId }));
      put(userId, r.status === 'ready' ? { status: 'ready', items: r.data!.items } : { status: r.status, items: [], error: r.error });
    };

    return {
      byUser: {},
      load,
      async create(userId, username, name, expiresAt) {
        const r = outcomeOf(await client.call('users.createToken', { id: userId, name, ...(expiresAt ? { expires_at: expiresAt } : {}) }));
        if (r.ok) {
          set({ revealed: { userId, username, token: r.data } });
          await load(userId);
        }
        return r;
      },
      async revoke(userId, tokenId) {
        const r = outcomeOf(await client.call('users.revokeToken', { id: userId, token_id: tokenId }));
        await load(userId);
        return r;
      },
      revealDismissed: () => set({ revealed: undefined }),
      reset: () => set({ byUser: {}, revealed: undefined }),
    };
  });
}
