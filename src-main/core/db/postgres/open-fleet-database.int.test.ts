import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { orchestratorSchema } from '@shared/config';
import { clusterForFile } from '../../../../test-support/postgres-db';
import { formatProblem, parseConfigText } from '../../config/config-store';
import { chooseDatabaseUrl, maskDatabaseUrl, openFleetDatabase, PG_MIGRATIONS, resolveDatabaseUrl, FleetDatabaseError } from '.';

const cluster = clusterForFile();
const passwordOf = (url: string) => decodeURIComponent(new URL(url).password);

async function freshUrl(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(cluster.url);
  u.pathname = `/${name}`;
  return u.toString();
}

describe('openFleetDatabase', () => {
  it('connects and migrates once; a second node finds the schema ready', async () => {
    const url = await freshUrl('open_twice');
    const first = await openFleetDatabase(url, { applicationName: 'node-a' });
    try {
      expect(first.applied).toEqual(PG_MIGRATIONS.map((m) => m.version));
      expect(first.where).toMatch(/^127\.0\.0\.1:\d+\/open_twice$/);
      const second = await openFleetDatabase(url, { applicationName: 'node-b' });
      expect(second.applied).toEqual([]);
      await second.close();
      expect((await first.pool.query('select count(*)::int as n from nodes')).rows[0].n).toBe(0);
    } finally {
      await first.close();
    }
  });

  it('says in one line which server it cannot reach, without the password', async () => {
    const u = new URL(cluster.url);
    u.port = '1';
    const error = await openFleetDatabase(u.toString()).catch((e: Error) => e);
    expect(error).toBeInstanceOf(FleetDatabaseError);
    expect((error as Error).message).toMatch(/^Cannot reach the fleet database at 127\.0\.0\.1:1\/fleet_test: .*ECONNREFUSED/);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).not.toContain(passwordOf(cluster.url));
  });

  it('reports a refused password without repeating it', async () => {
    const u = new URL(cluster.url);
    u.password = 'Wrong-Pa55word-42';
    const error = await openFleetDatabase(u.toString()).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^Cannot reach the fleet database at 127\.0\.0\.1:\d+\/fleet_test: password authentication failed for user "postgres"$/);
    expect((error as Error).message).not.toContain('Wrong-Pa55word-42');
  });
});

describe('the database URL setting', () => {
  it('takes --database-url before orchestrator.yaml, and storage.url only with kind postgres', () => {
    expect(chooseDatabaseUrl('secrets://a', { kind: 'postgres', url: 'secrets://b' }, 'orchestrator.yaml')).toEqual({ setting: 'secrets://a', source: '--database-url' });
    expect(chooseDatabaseUrl(undefined, { kind: 'postgres', url: 'secrets://b' }, '/c/orchestrator.yaml')).toEqual({ setting: 'secrets://b', source: '/c/orchestrator.yaml storage.url' });
    expect(chooseDatabaseUrl(undefined, { kind: 'sqlite' }, 'orchestrator.yaml')).toBeUndefined();
  });

  it('resolves a secrets:// reference through the lookup and says which secret is missing, never a value', async () => {
    const url = cluster.url;
    const asked: string[] = [];
    const lookup = async (ref: { key: string; service?: string }) => {
      asked.push(ref.service ? `${ref.service}/${ref.key}` : ref.key);
      return ref.key === 'fleet_db_url' ? `${url}\n` : ref.key === 'not_a_url' ? 'hunter2-not-a-url' : undefined;
    };
    expect(await resolveDatabaseUrl('secrets://fleet_db_url', 'orchestrator.yaml storage.url', lookup)).toBe(url);
    expect(await resolveDatabaseUrl(url, '--database-url', lookup)).toBe(url);
    expect(asked).toEqual(['fleet_db_url']);
    await expect(resolveDatabaseUrl('secrets://ops/missing', '--database-url', lookup)).rejects.toThrow(
      "--database-url: the secret secrets://ops/missing is in no secrets backend (store the URL there: printf %s 'postgres://…' | desktop-agent secrets set missing --service ops)",
    );
    const wrong = await resolveDatabaseUrl('secrets://not_a_url', 'orchestrator.yaml storage.url', lookup).catch((e: Error) => e.message);
    expect(wrong).toMatch(/^orchestrator\.yaml storage\.url: the secret secrets:\/\/not_a_url does not hold a usable database URL/);
    expect(wrong).not.toContain('hunter2');
    await expect(resolveDatabaseUrl(`mysql://u:${passwordOf(url)}@h/db`, '--database-url', lookup)).rejects.toThrow(/^--database-url: must be a postgres:/);
  });

  it('is refused in orchestrator.yaml at its file, line and key path, without the URL', () => {
    const yaml = 'global:\n  max_total_concurrent: 4\nstorage:\n  kind: postgres\n  url: "mysql://agent:Pa55-in-yaml@db/fleet"\n';
    const r = parseConfigText(orchestratorSchema, yaml, '/cfg/orchestrator.yaml');
    expect(r.ok).toBe(false);
    const lines = r.ok ? [] : r.problems.map(formatProblem);
    expect(lines).toEqual([expect.stringMatching(/^\/cfg\/orchestrator\.yaml:5:\d+: storage\.url: must be a postgres:\/\/user@host:port\/database URL or a secrets:\/\/name reference to one$/)]);
    expect(lines.join()).not.toContain('Pa55-in-yaml');
    const missing = parseConfigText(orchestratorSchema, 'storage:\n  kind: postgres\n', 'orchestrator.yaml');
    expect(missing.ok ? [] : missing.problems.map(formatProblem)).toEqual([expect.stringMatching(/^orchestrator\.yaml:\d+:\d+: storage\.url: kind postgres needs url/)]);
  });

  it('is masked for display', () => {
    expect(maskDatabaseUrl('postgres://agent:s3cr3t@db.example:6432/fleet?sslmode=require')).toBe('postgres://agent:***@db.example:6432/fleet?…');
    expect(maskDatabaseUrl('postgres://agent@db/fleet')).toBe('postgres://agent@db/fleet');
  });
});
