import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { rootForm, type OrchestratorConfig } from '@shared/config';
import { expandHome } from '../kernel/paths';
import type { Logger } from '../kernel/ports';
import { ActionError } from './action-types';

/**
 * The one gate between templates and the file system: every action that reads or writes a path a
 * template names (files, PDF, read_csv, attachments, uploads, downloads, file: URLs) asks
 * `ctx.files.check(path, action)` first, in runs and dry runs alike. A path is allowed when,
 * after its links are resolved, it lies under one of `files.allowed_roots` and is not the app's
 * own state (the data dir other than its artifacts, the config dir). See decision 0029.
 */

export const ROOTS_SETTING = 'files.allowed_roots';

export interface FileScope {
  /** `files.allowed_roots` as written in orchestrator.yaml. */
  allowedRoots: readonly string[];
  home: string;
  temp: string;
  dataDir: string;
  /** The one folder of the data dir that file actions may use (a saved draft is attached from there). */
  artifactsDir: string;
  configDir: string;
  platform?: NodeJS.Platform;
}

/** A path from a template: `~` is the home folder; relative paths are relative to the working folder. */
export function userPath(p: string): string {
  return path.resolve(expandHome(p.trim()));
}

const flavourOf = (platform: NodeJS.Platform) => (platform === 'win32' ? path.win32 : path.posix);

/** Is `target` the folder `root` or inside it? Both absolute and of the same flavour; `/tmp-evil` is not inside `/tmp`. */
export function isWithin(root: string, target: string, platform: NodeJS.Platform = process.platform): boolean {
  const flavour = flavourOf(platform);
  const rel = flavour.relative(root, target);
  if (rel === '') return true;
  // Another drive (win32) gives an absolute path; a way out starts with a `..` segment.
  return !flavour.isAbsolute(rel) && rel.split(flavour.sep)[0] !== '..';
}

/** Where a configured root points on this platform (before links are resolved), or why it is skipped. */
export function rootPath(value: string, scope: Pick<FileScope, 'home' | 'temp' | 'dataDir' | 'platform'>): { path: string } | { skipped: string } {
  const platform = scope.platform ?? process.platform;
  const flavour = flavourOf(platform);
  const form = rootForm(value);
  if (!form) return { skipped: 'not an absolute folder' };
  switch (form.kind) {
    case 'home':
      return { path: flavour.resolve(scope.home, form.rest) };
    case 'temp':
      return { path: flavour.resolve(scope.temp, form.rest) };
    case 'data':
      return { path: flavour.resolve(scope.dataDir, form.rest) };
    case 'absolute':
      return { path: flavour.resolve(form.path) };
    case 'windows':
      return platform === 'win32' ? { path: path.win32.resolve(form.path) } : { skipped: `a Windows drive or share, not a folder on ${platform}` };
  }
}

const MAX_LINKS = 40;
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

/**
 * The real location of a path that may not exist yet: the real path of its longest existing
 * prefix plus the rest. A dangling link is followed to where it points, because that is where a
 * write through it would land. Throws ELOOP for link cycles.
 */
export function realPath(p: string, hops = { n: 0 }): string {
  try {
    return realpathSync.native(p);
  } catch (e) {
    if (!MISSING.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
  const parent = path.dirname(p);
  if (parent === p) return p;
  const realParent = realPath(parent, hops);
  let link: string | undefined;
  try {
    if (lstatSync(p).isSymbolicLink()) link = readlinkSync(p);
  } catch {
    // Not there (or not visible to us, and so not to the action either): the rest is plain names.
  }
  if (link === undefined) return path.join(realParent, path.basename(p));
  if (++hops.n > MAX_LINKS) throw Object.assign(new Error(`too many levels of links at ${p}`), { code: 'ELOOP' });
  return realPath(path.resolve(realParent, link), hops);
}

function realOrSelf(p: string): string {
  try {
    return realPath(p);
  } catch {
    return p;
  }
}

export class PathGuard {
  /** The allowed roots with their links resolved. */
  readonly roots: readonly string[];
  /** Roots that do not apply here (a Windows share on Linux), with the reason. */
  readonly skipped: readonly { value: string; reason: string }[];
  private readonly platform: NodeJS.Platform;
  private readonly dataDir: string;
  private readonly artifactsDir: string;
  private readonly configDir: string;
  /** Where the setting is changed, as the error says it (the config dir as given, not its real path). */
  private readonly configFile: string;

  constructor(scope: FileScope) {
    this.platform = scope.platform ?? process.platform;
    const roots: string[] = [];
    const skipped: { value: string; reason: string }[] = [];
    for (const value of scope.allowedRoots) {
      const r = rootPath(value, scope);
      if ('skipped' in r) skipped.push({ value, reason: r.skipped });
      else roots.push(realOrSelf(r.path));
    }
    this.roots = [...new Set(roots)];
    this.skipped = skipped;
    this.dataDir = realOrSelf(scope.dataDir);
    this.artifactsDir = realOrSelf(scope.artifactsDir);
    this.configDir = realOrSelf(scope.configDir);
    this.configFile = flavourOf(this.platform).join(scope.configDir, 'orchestrator.yaml');
  }

  /** The path as actions use it (`~` expanded, absolute); throws PERMISSION_BLOCKED when it is not allowed. */
  check(raw: string, action: string): string {
    const p = userPath(raw);
    const why = this.refusal(p);
    if (why) throw new ActionError('PERMISSION_BLOCKED', `${action}: ${why}`, false, { path: p, setting: ROOTS_SETTING });
    return p;
  }

  checkAll(raws: readonly string[], action: string): string[] {
    return raws.map((r) => this.check(r, action));
  }

  /** Whether an absolute path is allowed (find_files leaves out links that point elsewhere). */
  allows(p: string): boolean {
    return this.refusal(p) === undefined;
  }

  private refusal(p: string): string | undefined {
    let real: string;
    try {
      real = realPath(p);
    } catch (e) {
      return `${p}: its links cannot be resolved (${(e as Error).message}), so it cannot be checked against ${ROOTS_SETTING}`;
    }
    const via = real === p ? '' : ` (it leads to ${real})`;
    if (!this.roots.some((root) => isWithin(root, real, this.platform))) {
      const roots = this.roots.length ? this.roots.join(', ') : 'none';
      return `${p}${via} is outside ${ROOTS_SETTING} in orchestrator.yaml (${roots}); to allow it, add its folder to that list in ${this.configFile}`;
    }
    const ownData = (isWithin(this.dataDir, real, this.platform) && !isWithin(this.artifactsDir, real, this.platform)) || isWithin(this.configDir, real, this.platform);
    if (ownData) return `${p}${via} is the app's own data (database, secrets, configuration); of the data dir, file actions may use only ${this.artifactsDir}, whatever ${ROOTS_SETTING} says`;
    return undefined;
  }
}

/** The folders of a core that decide what file actions may touch besides the configured roots. */
export interface CoreDirs {
  dataDir: string;
  artifactsDir: string;
  configDir: string;
}

/**
 * The guard of the configuration in force, built again when orchestrator.yaml is reloaded (the
 * roots' links are resolved once per configuration). Roots that do not apply on this platform
 * are logged once per configuration.
 */
export function pathGuards(dirs: CoreDirs, logger: Pick<Logger, 'warn'>): (config: Pick<OrchestratorConfig, 'files'>) => PathGuard {
  let last: { files: OrchestratorConfig['files']; guard: PathGuard } | undefined;
  return (config) => {
    if (last?.files === config.files) return last.guard;
    const guard = new PathGuard({ allowedRoots: config.files.allowed_roots, home: homedir(), temp: tmpdir(), ...dirs });
    for (const s of guard.skipped) logger.warn(`${ROOTS_SETTING}: '${s.value}' is skipped: ${s.reason}`);
    last = { files: config.files, guard };
    return guard;
  };
}
