import { rmSync, writeFileSync } from 'node:fs';

/** `<data-dir>/runtime.json`: how scripts and the CLI find a running instance (SPEC section 1). */
export interface RuntimeInfo {
  pid: number;
  url: string;
  started_at: string;
}

export function writeRuntimeFile(file: string, info: RuntimeInfo): void {
  writeFileSync(file, JSON.stringify(info) + '\n', { mode: 0o600 });
}

export function removeRuntimeFile(file: string): void {
  rmSync(file, { force: true });
}
