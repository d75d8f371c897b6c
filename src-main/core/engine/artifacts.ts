import { copyFileSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ArtifactRef, ArtifactSink } from './action-types';

/** A safe, unique file name inside the run's artifact folder. */
function safeName(name: string): string {
  const base = [...basename(name.replace(/\\/g, '/'))]
    .map((c) => (c.charCodeAt(0) < 32 || '<>:"|?*'.includes(c) ? '_' : c))
    .join('')
    .replace(/^\.+/, '_')
    .slice(0, 150);
  return base || 'artifact';
}

/**
 * Files a run produces (`<data-dir>/artifacts/<run_id>/`). The refs of what the current step
 * stored are collected so the runner can link them from the step's row.
 */
export class RunArtifacts implements ArtifactSink {
  private collected: ArtifactRef[] = [];

  constructor(readonly dir: string) {}

  /** The artifacts stored since the last call (one step's worth). */
  take(): ArtifactRef[] {
    const out = this.collected;
    this.collected = [];
    return out;
  }

  async write(name: string, data: Buffer | string, contentType: string, kind: string): Promise<ArtifactRef> {
    const file = this.reserve(name);
    await writeFile(file, data, { flag: 'wx', mode: 0o600 });
    return this.record(file, contentType, kind);
  }

  async adopt(path: string, name: string, contentType: string, kind: string, move = false): Promise<ArtifactRef> {
    const file = this.reserve(name);
    if (move) {
      try {
        renameSync(path, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
        copyFileSync(path, file);
        unlinkSync(path);
      }
    } else copyFileSync(path, file);
    return this.record(file, contentType, kind);
  }

  private reserve(name: string): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const clean = safeName(name);
    const ext = extname(clean);
    const stem = clean.slice(0, clean.length - ext.length);
    for (let i = 1; ; i++) {
      const candidate = join(this.dir, i === 1 ? clean : `${stem}-${i}${ext}`);
      try {
        statSync(candidate);
      } catch {
        return candidate;
      }
    }
  }

  private record(file: string, contentType: string, kind: string): ArtifactRef {
    const ref: ArtifactRef = { name: basename(file), contentType, bytes: statSync(file).size, kind };
    this.collected.push(ref);
    return ref;
  }
}
