import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../core/kernel/ports';

/** A small JSON file of the app's own (window state): undefined when missing or unreadable. */
export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Written to a temp file and renamed, so a crash never leaves half a file. */
export function writeJson(file: string, value: unknown, log: Logger): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(value));
    renameSync(`${file}.tmp`, file);
  } catch (e) {
    log.warn('Could not save a settings file', { file, error: (e as Error).message });
  }
}
