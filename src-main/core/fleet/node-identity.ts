import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { NODE_LABEL_PATTERN } from '@shared/config/fleet-settings';

/** `<data-dir>/node-id`: the node's id, made on first use and kept, so a restart is the same node. */
export const NODE_ID_FILE = 'node-id';

const NODE_ID = /^node-[0-9a-f-]{36}$/;

/**
 * This data dir's node id. Two processes that start together on a fresh data dir agree: the file
 * is created exclusively, and the one that loses reads the winner's id.
 */
export function nodeIdOf(dataDir: string): string {
  const file = join(dataDir, NODE_ID_FILE);
  const read = (): string | undefined => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    if (!NODE_ID.test(text)) throw new Error(`${file} does not hold a node id (expected node-<uuid>); remove it and a new id is made`);
    return text;
  };
  const known = read();
  if (known) return known;
  const id = `node-${randomUUID()}`;
  try {
    writeFileSync(file, `${id}\n`, { flag: 'wx', mode: 0o600 });
    return id;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return read()!;
  }
}

/** The node's name: `node.name` of orchestrator.yaml, else the host name made into a valid label. */
export function nodeNameOf(configured: string | undefined, host: string = hostname()): string {
  if (configured) return configured;
  const cleaned = host.split('.')[0]!.replace(/[^A-Za-z0-9_.:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return NODE_LABEL_PATTERN.test(cleaned) ? cleaned : 'node';
}
