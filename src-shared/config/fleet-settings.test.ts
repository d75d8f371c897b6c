import { describe, expect, it } from 'vitest';
import { databaseUrlProblem, orchestratorSchema } from '.';

const SECRET = 'pa55-w0rd-xyz';

describe('storage settings', () => {
  it('default to SQLite with no URL, and take postgres with a URL or a secrets:// reference', () => {
    expect(orchestratorSchema.parse({}).storage).toEqual({ kind: 'sqlite' });
    expect(orchestratorSchema.parse({ storage: { kind: 'postgres', url: 'secrets://fleet_db_url' } }).storage).toEqual({ kind: 'postgres', url: 'secrets://fleet_db_url' });
    expect(orchestratorSchema.parse({ storage: { kind: 'postgres', url: `postgresql://agent:${SECRET}@db.example:6432/fleet` } }).storage.kind).toBe('postgres');
  });

  it('refuse postgres without a URL, a URL with sqlite, an unknown kind and an unknown key, each at its key path', () => {
    const problems = (storage: unknown) => {
      const r = orchestratorSchema.safeParse({ storage });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems({ kind: 'postgres' })).toEqual([expect.stringMatching(/^storage\.url: kind postgres needs url/)]);
    expect(problems({ url: 'postgres://h/db' })).toEqual([expect.stringMatching(/^storage\.url: url is read only with kind: postgres/)]);
    expect(problems({ kind: 'mysql' })).toEqual([expect.stringMatching(/^storage\.kind: /)]);
    expect(problems({ kind: 'postgres', url: 'postgres://h/db', type: 'postgres' })).toEqual([expect.stringMatching(/^storage: .*type/i)]);
  });

  it('say what is wrong with a URL without repeating it (it may hold a password)', () => {
    const bad = [`mysql://agent:${SECRET}@h/db`, `postgres://agent:${SECRET}@h:5432/`, `postgres://agent:${SECRET}@/db`, 'secrets://a/b/c', 'secrets://'];
    for (const url of bad) {
      const problem = databaseUrlProblem(url);
      expect(problem, url).toBeTruthy();
      expect(problem).not.toContain(SECRET);
    }
    expect(databaseUrlProblem(`mysql://agent:${SECRET}@h/db`)).toMatch(/postgres:\/\/user@host:port\/database URL or a secrets:\/\/name/);
    expect(databaseUrlProblem(`postgres://agent:${SECRET}@h:5432/`)).toMatch(/names no database/);
    expect(databaseUrlProblem('secrets://a/b/c')).toMatch(/more than one '\/'/);
    expect(databaseUrlProblem('postgres://agent@h/db')).toBeUndefined();
  });
});

describe('node settings', () => {
  it('take a name and labels; refuse a label with spaces and a repeated label', () => {
    expect(orchestratorSchema.parse({}).node).toEqual({ labels: [] });
    expect(orchestratorSchema.parse({ node: { name: 'finance-vm-2', labels: ['sap', 'gpu'] } }).node).toEqual({ name: 'finance-vm-2', labels: ['sap', 'gpu'] });
    const r = orchestratorSchema.safeParse({ node: { labels: ['has space', 'ok', 'ok'] } });
    expect(r.success).toBe(false);
    const issues = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([expect.stringMatching(/^node\.labels\.0: labels and node names use letters/), 'node.labels: each label may be listed once']);
  });
});
