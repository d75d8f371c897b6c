import { describe, expect, it } from 'vitest';
import { CONTRACT } from '@shared/contract';
import { sessionEffect, withoutSessionToken } from './session-binding';

const issued = { token: 'da_s_secret', expires_at: '2026-01-15T21:00:00.000Z', user: { id: 'usr_1', username: 'alice', role: 'Editor' } };

describe('session effects for the transports', () => {
  it('tells HTTP and IPC when a procedure issued or ended a session', () => {
    expect(sessionEffect(CONTRACT['auth.login'], issued)).toEqual({ kind: 'issue', token: 'da_s_secret', expiresAt: issued.expires_at });
    expect(sessionEffect(CONTRACT['auth.firstRun'], issued)).toMatchObject({ kind: 'issue' });
    expect(sessionEffect(CONTRACT['auth.logout'], { ok: true, ended: true })).toEqual({ kind: 'end' });
    expect(sessionEffect(CONTRACT['auth.changePassword'], undefined)).toEqual({ kind: 'end' });
    expect(sessionEffect(CONTRACT['users.list'], { items: [] })).toBeUndefined();
    expect(sessionEffect(CONTRACT['auth.login'], undefined)).toBeUndefined();
  });

  it('keeps the token away from the renderer', () => {
    expect(withoutSessionToken(CONTRACT['auth.login'], issued)).toEqual({ expires_at: issued.expires_at, user: issued.user });
    expect(withoutSessionToken(CONTRACT['users.createToken'], { id: 't', token: 'da_t_x' })).toEqual({ id: 't', token: 'da_t_x' });
  });
});
