import { afterEach, describe, expect, it } from 'vitest';
import { newRun } from '../../../../test-support/new-runs';
import { clusterForFile, freshDatabase, testNode } from '../../../../test-support/postgres-db';
import { until } from '../../../../test-support/temp-core';
import { emptyState } from '../run-state';
import { PgRunsStorage } from '.';

/**
 * What only the fleet database can show: a write held on a lock by another session (another node),
 * and what the storage does meanwhile. The meanings both backends share are in the conformance
 * suites (core/runs/runs-*.conformance.int.test.ts).
 */
const cluster = clusterForFile();
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

async function setUp() {
  const db = await freshDatabase(cluster.url);
  const node = await testNode(db.url, 'other-node');
  closing.push(db.close, node.close);
  const waiting = async (locktype: string) =>
    (await db.pool.query<{ n: number }>('select count(*)::int as n from pg_locks where locktype = $1 and not granted', [locktype])).rows[0]!.n;
  return { pool: db.pool, other: node.client, storage: new PgRunsStorage(db.pool), waiting };
}

const T = Date.parse('2026-12-07T09:00:00Z');

describe('PostgreSQL runs storage under another node’s locks', () => {
  it('runs afterCommit only once a step write held by another transaction has committed', async () => {
    const { storage, other, waiting } = await setUp();
    await storage.insert.insertMany([newRun('x', { at: T })]);
    await other.query('begin');
    await other.query(`select id from runs where id = 'x' for update`);
    const told: string[] = [];
    const write = storage.recordStep(
      { runId: 'x', index: 0, stepId: null, action: 'file.write', status: 'succeeded', params: {}, result: null, error: null, errorCode: null, attempt: 1, startedAt: T, finishedAt: T, durationMs: 0, artifacts: [] },
      { nextStep: 1, state: emptyState() },
    );
    const after = storage.afterCommit(() => told.push('after'));
    await until('the step write to wait for the row lock', async () => (await waiting('transactionid')) > 0);
    expect(told).toEqual([]);
    await other.query('commit');
    await after;
    await write;
    expect(told).toEqual(['after']);
    expect(await storage.read.row('x')).toMatchObject({ next_step: 1 });
  });

  it('prunes template texts without deleting the text of a run another node is inserting', async () => {
    const { storage, other, waiting } = await setUp();
    const oldTemplate = { template: 'old', templateHash: 'hash-old', templateYaml: 'name: old\nsteps: []\n' };
    await storage.insert.insertMany([{ ...newRun('gone', { at: T }), ...oldTemplate }]);
    await storage.retention.deleteMany(['gone']);
    // Another node's uncommitted run holds the idempotency key: our insert of a run of the old
    // template (its text found stored) waits on it, between storing the text and its run.
    await other.query('begin');
    await other.query(`insert into runs (id, template, template_hash, trigger, status, available_at, enqueued_at, created_at, idempotency_key)
      values ('blocker', 'conformance', 'hash-1', 'api', 'queued', 0, 0, 0, 'k')`);
    const inserting = storage.insert.insertMany([{ ...newRun('new', { at: T + 1, key: 'k' }), ...oldTemplate }]);
    await until('the insert to wait for the other node', async () => (await waiting('transactionid')) > 0);
    const pruning = storage.retention.pruneTemplateContents();
    await until('the prune to wait for the insert', async () => (await waiting('advisory')) > 0);
    await other.query('rollback');
    await inserting;
    expect(await pruning).toBe(0);
    expect(await storage.read.templateYaml('hash-old')).toBe('name: old\nsteps: []\n');
    expect(await storage.retention.pruneTemplateContents()).toBe(0);
  });
});
