import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 13: core/runs owns every statement on `runs` and `run_steps`. This test fails when SQL
 * touching those tables appears in any other source file of src-main (tests may read the tables
 * to check what was stored; they are not scanned).
 */
const ROOT = join(__dirname, '..', '..');
const OWNER = join('core', 'runs') + sep;
const SQL_ON_RUNS = /\b(?:from|join|into|update|table|exists)\s+(?:runs|run_steps)\b(?![-\w./])/i;

export function sqlOnRuns(source: string): string[] {
  return source.split('\n').filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line) && SQL_ON_RUNS.test(line));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('SQL on runs and run_steps', () => {
  it('is recognised in the shapes the code writes it', () => {
    expect(sqlOnRuns("db.prepare('select status from runs where id = ?')")).toHaveLength(1);
    expect(sqlOnRuns('  .prepare(`update runs set status = @status where id = @id`)')).toHaveLength(1);
    expect(sqlOnRuns("db.prepare('DELETE FROM run_steps WHERE run_id = ?')")).toHaveLength(1);
    expect(sqlOnRuns('insert into runs (id) values (?)')).toHaveLength(1);
    expect(sqlOnRuns('select r.id from approvals a join runs r on r.id = a.run_id')).toHaveLength(1);
    // Prose and paths are not SQL.
    expect(sqlOnRuns("import { RunRepository } from '../runs';")).toHaveLength(0);
    expect(sqlOnRuns('// the step rows from run_steps are read back')).toHaveLength(0);
  });

  it('appears only in src-main/core/runs', () => {
    const offenders = sourceFiles(ROOT)
      .filter((f) => !relative(ROOT, f).startsWith(OWNER))
      .flatMap((f) => sqlOnRuns(readFileSync(f, 'utf8')).map((line) => `${relative(ROOT, f)}: ${line.trim()}`));
    expect(offenders, 'move these statements into a module of src-main/core/runs and call the RunRepository').toEqual([]);
  });
});
