import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every file under a watched folder (its subfolders too when recursive), skipping what `ignored`
 * says (a skipped folder is not entered). Symbolic links are not followed, as in the watch itself.
 * A folder that cannot be read (removed meanwhile) gives nothing.
 */
export async function listFiles(root: string, recursive: boolean, ignored: (path: string) => boolean): Promise<string[]> {
  const files: string[] = [];
  const folders = [root];
  while (folders.length) {
    const folder = folders.pop()!;
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const path = join(folder, e.name);
      if (ignored(path)) continue;
      if (e.isFile()) files.push(path);
      else if (recursive && e.isDirectory()) folders.push(path);
    }
  }
  return files;
}
