// The layer map's own test: ESLint, with the repository's eslint.config.js, on deliberately bad
// imports placed (virtually) in the folders they would break. Each bad fixture must fail with the
// rule that guards it; the good ones beside them must pass, so the rules cannot pass by accident.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The rule ids ESLint reports for `code` as if it were the file at `filePath`. */
async function problems(filePath, code) {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

// Loading the config and the TypeScript parser takes seconds on a busy machine.
describe('layer map (eslint.config.js)', { timeout: 120_000 }, () => {
  it('rejects a core folder importing a folder the map does not allow (engine → hitl)', async () => {
    const found = await problems('src-main/core/engine/bad-fixture.ts', "export { Approvals } from '../hitl';\n");
    expect(found).toEqual([expect.stringMatching(/^layers\/imports: src-main\/core\/engine\/ may not import src-main\/core\/hitl/)]);
  });

  it('rejects reaching inside another capability folder, accepts its index', async () => {
    const bad = await problems('src-main/core/engine/bad-fixture.ts', "export { RunQueue } from '../queue/run-queue';\n");
    expect(bad).toEqual([expect.stringMatching(/^layers\/imports: .*reaches inside src-main\/core\/queue\/; import 'src-main\/core\/queue'/)]);
    expect(await problems('src-main/core/engine/good-fixture.ts', "export type { RunExecutor } from '../queue';\n")).toEqual([]);
  });

  it('checks dynamic imports too', async () => {
    const found = await problems('src-main/core/runs/bad-fixture.ts', "export const load = () => import('../engine');\n");
    expect(found).toEqual([expect.stringMatching(/^layers\/imports: src-main\/core\/runs\/ may not import src-main\/core\/engine/)]);
  });

  it('keeps entry points apart: the desktop app may not import serve or the CLI, they share host/', async () => {
    expect(await problems('src-main/electron/bad-fixture.ts', "export { startServe } from '../serve/start-serve';\n")).toEqual([
      expect.stringMatching(/^layers\/imports: src-main\/electron\/ may not import src-main\/serve\/start-serve/),
    ]);
    expect(await problems('src-main/cli/bad-fixture.ts', "export { main } from '../electron/main';\n")).toContainEqual(
      expect.stringMatching(/^layers\/imports: src-main\/cli\/ may not import src-main\/electron\/main/),
    );
    expect(await problems('src-main/electron/good-fixture.ts', "export { startServe } from '../host/start-serve';\n")).toEqual([]);
  });

  it('keeps the kernel free of the rest of the core', async () => {
    const found = await problems('src-main/core/kernel/bad-fixture.ts', "export type { Core } from '../app/create-core';\n");
    expect(found).toEqual([expect.stringMatching(/^layers\/imports: src-main\/core\/kernel\/ may not import src-main\/core\/app/)]);
  });

  it('allows electron main-process APIs only in src-main/electron', async () => {
    const inHost = await problems('src-main/host/bad-fixture.ts', "export { ipcMain } from 'electron';\n");
    expect(inHost).toEqual([expect.stringMatching(/^no-restricted-imports: .*only src-main\/electron and src-main\/preload may import electron/)]);
    const inPreload = await problems('src-main/preload/bad-fixture.ts', "export { ipcMain } from 'electron';\n");
    expect(inPreload).toEqual([expect.stringMatching(/^no-restricted-imports: .*Main-process APIs live in src-main\/electron only/)]);
    expect(await problems('src-main/electron/good-fixture.ts', "export { ipcMain } from 'electron';\n")).toEqual([]);
  });

  it('rejects blocking fs in a request path of the core, unless the file is a listed exception', async () => {
    const code = "import { readFileSync } from 'node:fs';\nexport const read = (p: string) => readFileSync(p, 'utf8');\n";
    expect(await problems('src-main/core/queue/bad-fixture.ts', code)).toEqual([expect.stringMatching(/^no-restricted-syntax: No blocking fs in a request path/)]);
    expect(await problems('src-main/core/queue/retention.ts', code)).toEqual([]);
  });
});
