import { afterEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../../../../test-support/store-backends';
import { FakeClock } from '../../kernel/clock';
import { DeliveryStore, type DeliveryRow, type DeliveryStorePort } from './delivery-store';
import { PgDeliveryStore } from './delivery-store-pg';

/**
 * One suite, both backends (SPEC section 16): the webhook deliveries and their replay store in
 * SQLite and in PostgreSQL answer every case alike. Every call is awaited, so the synchronous
 * SQLite store runs the same cases. Times come from a FakeClock.
 */

const sqlite = sqliteBackend<DeliveryStorePort>((db) => new DeliveryStore(db));
const postgres = postgresBackend<DeliveryStorePort>((pool) => new PgDeliveryStore(pool));
afterEach(async () => {
  await sqlite.closeAll();
  await postgres.closeAll();
});

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const delivery = (clock: FakeClock, status: number, more: Partial<DeliveryRow> = {}): DeliveryRow => ({
  webhook_id: 'deploy',
  delivery_id: null,
  received_at: clock.now(),
  status,
  run_id: status === 202 ? `run-${clock.now()}` : null,
  error: status === 202 ? null : `refused with ${status}`,
  ip: '127.0.0.1',
  ...more,
});
const accepted = (clock: FakeClock, deliveryId: string | null, more: Partial<DeliveryRow> = {}) => {
  const { status: _status, error: _error, ...row } = delivery(clock, 202, { delivery_id: deliveryId, ...more });
  return row;
};

describe.each([sqlite, postgres])('webhook delivery store conformance ($name)', (backend) => {
  it('accepts a delivery id once per webhook: the replay is refused and recorded nowhere', async () => {
    const store = await backend.open();
    const clock = new FakeClock();
    expect(await store.acceptedRun('deploy', 'd-1')).toBeUndefined();
    expect(await store.recordAccepted(accepted(clock, 'd-1', { run_id: 'r-1' }))).toBe(true);
    clock.advance(MINUTE);
    expect(await store.recordAccepted(accepted(clock, 'd-1', { run_id: 'r-2' }))).toBe(false);
    expect(await store.acceptedRun('deploy', 'd-1')).toEqual({ run_id: 'r-1' });
    // The same id at another webhook is another delivery.
    expect(await store.recordAccepted(accepted(clock, 'd-1', { webhook_id: 'build', run_id: 'r-3' }))).toBe(true);
    expect((await store.recent('deploy', 10)).map((d) => d.run_id)).toEqual(['r-1']);
  });

  it('deliveries without an id never collide; refused ones do not make a later delivery of that id a replay', async () => {
    const store = await backend.open();
    const clock = new FakeClock();
    expect(await store.recordAccepted(accepted(clock, null))).toBe(true);
    expect(await store.recordAccepted(accepted(clock, null))).toBe(true);
    await store.record(delivery(clock, 401, { delivery_id: 'd-9', error: 'Bad signature' }));
    await store.record(delivery(clock, 400, { delivery_id: 'd-9', error: 'invalid JSON' }));
    expect(await store.acceptedRun('deploy', 'd-9')).toBeUndefined();
    clock.advance(1000);
    expect(await store.recordAccepted(accepted(clock, 'd-9', { run_id: 'r-9' }))).toBe(true);
    await store.record(delivery(clock, 409, { delivery_id: 'd-9', error: 'replayed' }));
    expect(await store.acceptedRun('deploy', 'd-9')).toEqual({ run_id: 'r-9' });
  });

  it('lists recent deliveries newest first, then the later-recorded first within one millisecond', async () => {
    const store = await backend.open();
    const clock = new FakeClock();
    await store.record(delivery(clock, 403, { ip: '10.0.0.9' }));
    clock.advance(5);
    await store.recordAccepted(accepted(clock, 'a', { run_id: 'first' }));
    await store.recordAccepted(accepted(clock, 'b', { run_id: 'second' }));
    const recent = await store.recent('deploy', 10);
    expect(recent.map((d) => [d.status, d.run_id, d.ip])).toEqual([
      [202, 'second', '127.0.0.1'],
      [202, 'first', '127.0.0.1'],
      [403, null, '10.0.0.9'],
    ]);
    expect(recent[2]).toMatchObject({ webhook_id: 'deploy', delivery_id: null, received_at: clock.now() - 5, error: 'refused with 403' });
    expect(await store.recent('deploy', 1)).toHaveLength(1);
    expect(await store.recent('nobody', 5)).toEqual([]);
  });

  it('counts accepted, refused and unqueued since a time, and knows the last accepted one', async () => {
    const store = await backend.open();
    const clock = new FakeClock();
    await store.recordAccepted(accepted(clock, 'old'));
    clock.advance(DAY + MINUTE);
    const since = clock.now() - DAY;
    expect(await store.lastAcceptedAt('deploy')).toBe(clock.now() - DAY - MINUTE);
    await store.recordAccepted(accepted(clock, 'new'));
    const lastAccepted = clock.now();
    clock.advance(MINUTE);
    for (const status of [401, 429, 503, 409]) await store.record(delivery(clock, status));
    await store.record(delivery(clock, 413, { webhook_id: 'build' }));
    const counts = (await store.countsSince(since)).sort((a, b) => a.webhook_id.localeCompare(b.webhook_id));
    expect(counts).toEqual([
      { webhook_id: 'build', accepted: 0, refused: 1, unqueued: 0, last_at: clock.now() },
      { webhook_id: 'deploy', accepted: 1, refused: 4, unqueued: 2, last_at: clock.now() },
    ]);
    expect(await store.lastAcceptedAt('deploy')).toBe(lastAccepted);
    expect(await store.lastAcceptedAt('build')).toBeUndefined();
  });

  it('expires: a delivery id pruned with the history is forgotten, one kept is still a replay', async () => {
    const store = await backend.open();
    const clock = new FakeClock();
    await store.recordAccepted(accepted(clock, 'expired'));
    clock.advance(31 * DAY);
    await store.recordAccepted(accepted(clock, 'kept'));
    expect(await store.pruneBefore(clock.now() - 30 * DAY)).toBe(1);
    expect(await store.pruneBefore(clock.now() - 30 * DAY)).toBe(0);
    expect(await store.acceptedRun('deploy', 'expired')).toBeUndefined();
    expect(await store.recordAccepted(accepted(clock, 'expired'))).toBe(true);
    expect(await store.recordAccepted(accepted(clock, 'kept'))).toBe(false);
  });

  it('refuses a delivery without a webhook id and stores nothing of it', async () => {
    const store = await backend.open();
    const clock = new FakeClock();
    await expect(async () => store.record(delivery(clock, 400, { webhook_id: null as unknown as string }))).rejects.toThrow(/not[- ]null/i);
    await expect(async () => store.recordAccepted(accepted(clock, 'x', { webhook_id: null as unknown as string }))).rejects.toThrow(/not[- ]null/i);
    expect(await store.countsSince(0)).toEqual([]);
  });
});
