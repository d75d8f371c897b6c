import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../src-main/core/app/create-core';
import { MemorySink } from '../src-main/core/app/logger';
import { resolvePaths } from '../src-main/core/app/paths';
import { REPO_ROOT } from './temp-core';

export interface SecretsCore {
  core: Core;
  dir: string;
  logs: MemorySink;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * A real core on a data dir (a new temp dir unless `dir` is given, so a test can restart on the
 * same one), with `secrets:` of orchestrator.yaml set as given.
 */
export async function secretsCore(options: Partial<CoreOptions> & { dir?: string; secretsYaml?: string } = {}): Promise<SecretsCore> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'da-secrets-'));
  if (options.secretsYaml) {
    mkdirSync(join(dir, 'configs'), { recursive: true });
    writeFileSync(join(dir, 'configs', 'orchestrator.yaml'), `secrets:\n${options.secretsYaml.replace(/^/gm, '  ')}\n`);
  }
  const logs = new MemorySink();
  const core = await createCore({
    paths: resolvePaths({ dataDir: dir, defaultConfigDir: join(REPO_ROOT, 'configs') }),
    version: 'test',
    strictConfig: true,
    validateOutputs: true,
    extraLogSinks: [logs],
    env: {},
    ...options,
  });
  await core.start();
  return {
    core,
    dir,
    logs,
    stop: () => core.stop(),
    cleanup: async () => {
      await core.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every file under dir (relative paths), to show what a data dir holds. */
export function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, name)).isDirectory() ? listTree(join(dir, name), rel) : [rel];
  });
}

/** The forms of a secret that must never be found on disk or in output: itself, base64, URL-encoded. */
export function secretForms(value: string): string[] {
  return [...new Set([value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url'), encodeURIComponent(value)])];
}

/** Which files under dir contain any form of the secret (as bytes, UTF-8 and UTF-16). */
export function filesContaining(dir: string, value: string): string[] {
  const needles = secretForms(value).flatMap((f) => [Buffer.from(f, 'utf8'), Buffer.from(f, 'utf16le')]);
  return listTree(dir).filter((rel) => {
    const bytes = readFileSync(join(dir, rel));
    return needles.some((n) => bytes.includes(n));
  });
}
