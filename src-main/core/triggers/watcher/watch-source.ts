import { statfs } from 'node:fs/promises';
import type { Stats } from 'node:fs';

/**
 * The file events of one watched folder, from chokidar (OS events, or stat polling on a network
 * drive where OS events do not arrive). Paths are absolute; `add` and `change` carry the stats.
 */
export interface WatchSourceEvents {
  add(path: string, stats: Stats | undefined): void;
  change(path: string, stats: Stats | undefined): void;
  unlink(path: string): void;
  ready(): void;
  error(error: Error): void;
}

export interface WatchSourceOptions {
  root: string;
  recursive: boolean;
  polling: boolean;
  pollIntervalMs: number;
  /** Skip this path (and, for a folder, everything in it). */
  ignored(path: string): boolean;
}

export interface WatchSource {
  close(): Promise<void>;
}

export async function openWatchSource(o: WatchSourceOptions, on: WatchSourceEvents): Promise<WatchSource> {
  const { watch } = await import('chokidar');
  const w = watch(o.root, {
    persistent: true,
    ignoreInitial: false,
    alwaysStat: true,
    followSymlinks: false,
    depth: o.recursive ? undefined : 0,
    usePolling: o.polling,
    interval: o.pollIntervalMs,
    binaryInterval: o.pollIntervalMs,
    // Our own trailing-edge debounce decides when a file is complete (settle-queue.ts), on the injected clock.
    awaitWriteFinish: false,
    atomic: false,
    ignored: (path: string) => path !== o.root && o.ignored(path),
  });
  w.on('add', (p, s) => on.add(p, s))
    .on('change', (p, s) => on.change(p, s))
    .on('unlink', (p) => on.unlink(p))
    .on('ready', () => on.ready())
    .on('error', (e) => on.error(e instanceof Error ? e : new Error(String(e))));
  return { close: () => w.close() };
}

/** statfs f_type of file systems whose changes OS events may miss (Linux magic numbers). */
const REMOTE_FS_TYPES = new Map<number, string>([
  [0x6969, 'NFS'],
  [0x517b, 'SMB'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x65735546, 'FUSE'],
  [0x01021997, '9P'],
  [0x5346414f, 'AFS'],
  [0x564c, 'NCP'],
]);

/** Why this folder should be polled (a network drive), or undefined. */
export async function networkDriveReason(path: string, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  if (platform === 'win32') return /^(\\\\|\/\/)/.test(path) ? 'a network share (UNC path)' : undefined;
  if (platform !== 'linux') return undefined;
  try {
    const type = (await statfs(path)).type;
    const name = REMOTE_FS_TYPES.get(type);
    return name ? `a ${name} file system` : undefined;
  } catch {
    return undefined;
  }
}

/** The OS ran out of watches or file handles: polling still works. */
export const isWatchLimit = (e: Error): boolean => /ENOSPC|EMFILE|ENFILE/.test(`${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`);
