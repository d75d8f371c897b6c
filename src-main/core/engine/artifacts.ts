import { copyFileSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ArtifactRef, ArtifactSink } from './action-types';

/** What masks secrets in text: the core's Redactor. */
export interface TextMasker {
  mask(text: string): string;
}

/** Content the Redactor can read: plain text, HTML, CSV, JSON, XML, scripts, form data. */
const TEXTUAL = /^\s*(text\/|application\/(json|xml|javascript|x-ndjson|csv|x-www-form-urlencoded)\b|[^;\s]+\+(json|xml)\b)/i;
/** Masking reads a whole file into memory: a textual artifact larger than this is kept as it is. */
export const MAX_MASKED_BYTES = 64 * 1024 * 1024;

/**
 * The bytes with every registered secret form masked, or undefined when nothing changed. Text
 * that is not valid UTF-8 (a Shift_JIS CSV) is read byte for byte (latin1), which finds the
 * ASCII forms (base64, URL-encoded, ASCII values) and leaves every other byte as it was.
 */
export function maskBytes(bytes: Buffer, masker: TextMasker): Buffer | undefined {
  const utf8 = bytes.toString('utf8');
  const encoding = Buffer.from(utf8, 'utf8').equals(bytes) ? 'utf8' : 'latin1';
  const text = encoding === 'utf8' ? utf8 : bytes.toString('latin1');
  const masked = masker.mask(text);
  return masked === text ? undefined : Buffer.from(masked, encoding);
}

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
 *
 * Artifacts are data leaving the engine for disk, so textual ones pass the Redactor on the way:
 * a DOM schema whose page URL carries a token, a downloaded text file that echoes a key. The
 * ref says `masked: true` when something was replaced. Pictures cannot be masked; actions that
 * encode text before storing it (a mail draft's quoted-printable body) mask it first with `mask`.
 */
export class RunArtifacts implements ArtifactSink {
  private collected: ArtifactRef[] = [];

  constructor(
    readonly dir: string,
    private readonly masker: TextMasker = { mask: (t) => t },
  ) {}

  mask(text: string): string {
    return this.masker.mask(text);
  }

  /** The artifacts stored since the last call (one step's worth). */
  take(): ArtifactRef[] {
    const out = this.collected;
    this.collected = [];
    return out;
  }

  async write(name: string, data: Buffer | string, contentType: string, kind: string): Promise<ArtifactRef> {
    const file = this.reserve(name);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const masked = TEXTUAL.test(contentType) && bytes.length <= MAX_MASKED_BYTES ? maskBytes(bytes, this.masker) : undefined;
    await writeFile(file, masked ?? bytes, { flag: 'wx', mode: 0o600 });
    return this.record(file, contentType, kind, masked !== undefined);
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
    let masked: Buffer | undefined;
    if (TEXTUAL.test(contentType) && statSync(file).size <= MAX_MASKED_BYTES) {
      masked = maskBytes(await readFile(file), this.masker);
      if (masked) await writeFile(file, masked, { mode: 0o600 });
    }
    return this.record(file, contentType, kind, masked !== undefined);
  }

  private reserve(name: string): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // A name is data too (`save_draft {name: "draft-{{secrets://k}}"}`): masked before it reaches the disk.
    const clean = safeName(this.masker.mask(name));
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

  private record(file: string, contentType: string, kind: string, masked: boolean): ArtifactRef {
    const ref: ArtifactRef = { name: basename(file), contentType, bytes: statSync(file).size, kind, ...(masked ? { masked: true } : {}) };
    this.collected.push(ref);
    return ref;
  }
}
