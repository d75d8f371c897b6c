import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A temp folder whose name has a space and Japanese, as users' folders do. */
export function tempDir(label = 'files'): string {
  const base = mkdtempSync(join(tmpdir(), `da-${label}-`));
  const dir = join(base, '受信 トレイ');
  mkdirSync(dir);
  return dir;
}

/**
 * For tests of files.allowed_roots: a fresh temp folder (its links resolved, as the guard sees it)
 * with two empty folders, `inside` (the test's root) and `outside` beside it.
 */
export function insideAndOutside(label: string): { base: string; inside: string; outside: string; cleanup: () => void } {
  const base = realpathSync(mkdtempSync(join(tmpdir(), `da-${label}-`)));
  const inside = join(base, 'inside');
  const outside = join(base, 'outside');
  mkdirSync(inside);
  mkdirSync(outside);
  return { base, inside, outside, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** Writes files (content or size in bytes), creating folders; `mtime` as YYYY-MM-DD sets the modification day (local noon). */
export function writeTree(root: string, files: Record<string, string | Buffer | { bytes: number; mtime?: string } | { text: string; mtime: string }>): void {
  for (const [rel, spec] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof spec === 'string' || Buffer.isBuffer(spec)) {
      writeFileSync(path, spec);
      continue;
    }
    writeFileSync(path, 'text' in spec ? spec.text : Buffer.alloc(spec.bytes, 1));
    if (spec.mtime) {
      const t = new Date(`${spec.mtime}T12:00:00`);
      utimesSync(path, t, t);
    }
  }
}

/** A real PDF with `pages` pages, each saying which page it is. */
export async function pdfBytes(pages: number, label = 'doc'): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) doc.addPage([300, 200]).drawText(`${label} page ${i}`, { x: 20, y: 100, size: 14, font });
  return doc.save();
}

export async function writePdf(path: string, pages: number, label = 'doc'): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await pdfBytes(pages, label));
  return path;
}

export async function pageCountOf(path: string): Promise<number> {
  return (await PDFDocument.load(readFileSync(path))).getPageCount();
}

/** Every file under root (relative path → sha256 of content), to prove a dry run changed nothing. */
export function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, ent.name);
      if (ent.isDirectory()) {
        out[`${relative(root, full)}/`] = 'dir';
        walk(full);
      } else out[relative(root, full)] = createHash('sha256').update(readFileSync(full)).digest('hex') + ':' + statSync(full).mtimeMs;
    }
  };
  walk(root);
  return out;
}

/** YAML-safe double-quoted string. */
export const q = (s: string) => JSON.stringify(s);

/** A PDF whose trailer declares standard encryption (what password-protected PDFs have). */
export async function encryptedPdfBytes(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage();
  const encrypt = doc.context.obj({ Filter: 'Standard', V: 1, R: 2, O: 'owner', U: 'user', P: -4 });
  doc.context.trailerInfo.Encrypt = doc.context.register(encrypt);
  return doc.save();
}
