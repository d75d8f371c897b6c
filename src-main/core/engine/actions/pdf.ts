import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { assertPdfPages, pdfExtractPages, pdfMerge } from '@shared/dsl/actions/pdf';
import { formatPages, parsePageSpec, selectPages } from '@shared/dsl/page-spec';
import { ActionError, type ActionContext, type ActionDef } from '../action-types';
import { throwIfAborted, toActionError } from '../errors';
import { FileView, naturalCompare, outputTarget, writeBytesAtomically } from './file-access';
import { implement } from './implement';

const MAX_PDF_BYTES = 500 * 1024 * 1024;

/** Loads a PDF with errors that name the file: missing, a folder, encrypted, or not a readable PDF. */
async function loadPdf(path: string, ctx: ActionContext): Promise<PDFDocument> {
  const source = new FileView(ctx).source(path);
  if (!source) throw new ActionError('FILE_NOT_FOUND', `PDF not found: ${path}`);
  let bytes: Buffer;
  try {
    const s = await stat(source);
    if (s.isDirectory()) throw new ActionError('IS_A_FOLDER', `${path} is a folder, not a PDF`);
    if (s.size > MAX_PDF_BYTES) throw new ActionError('FILE_TOO_LARGE', `${path} is larger than ${MAX_PDF_BYTES / 1024 / 1024} MB`);
    bytes = await readFile(source);
  } catch (e) {
    const err = toActionError(e);
    if (err.code === 'FILE_NOT_FOUND') throw new ActionError('FILE_NOT_FOUND', `PDF not found: ${path}`);
    throw err;
  }
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
    // A damaged file may load without a page tree; touching it here keeps the error about the file.
    doc.getPageCount();
    return doc;
  } catch (e) {
    // pdf-lib's EncryptedPDFError does not survive instanceof (ES5 classes); its message does.
    if (/is encrypted/.test((e as Error).message)) throw new ActionError('PDF_ENCRYPTED', `Cannot read PDF ${path}: it is encrypted (password-protected)`);
    throw new ActionError('PDF_PARSE_ERROR', `Cannot read PDF ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Page count of a PDF as the run sees it (a PDF a dry run would have written counts too). */
async function pageCount(path: string, ctx: ActionContext): Promise<number> {
  const v = new FileView(ctx).virtual(path);
  if (v?.pages !== undefined && !v.source) return v.pages;
  return (await loadPdf(path, ctx)).getPageCount();
}

async function mergeInputs(p: { inputs?: string[]; inputs_from?: string }, out: string, ctx: ActionContext): Promise<string[]> {
  if (p.inputs) return ctx.files.checkAll(p.inputs, 'pdf_merge');
  const dir = ctx.files.check(p.inputs_from!, 'pdf_merge');
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new ActionError('NOT_A_FOLDER', `pdf_merge: inputs_from is not a folder: ${dir}`);
    names = await readdir(dir);
  } catch (e) {
    const err = toActionError(e);
    if (err.code === 'FILE_NOT_FOUND') throw new ActionError('FOLDER_NOT_FOUND', `pdf_merge: folder not found: ${dir}`);
    throw err;
  }
  // The output may live in the same folder: never merge a previous result into the new one.
  return names
    .filter((n) => n.toLowerCase().endsWith('.pdf') && !n.startsWith('.'))
    .map((n) => join(dir, n))
    .filter((f) => f !== out)
    .sort(naturalCompare)
    .map((f) => ctx.files.check(f, 'pdf_merge')); // a link in the folder may lead elsewhere
}

function noInputs(p: { inputs?: string[]; inputs_from?: string }, ctx: ActionContext): ActionError {
  return new ActionError('NO_FILES', p.inputs ? 'pdf_merge: no input PDFs (inputs is empty)' : `pdf_merge: no PDF files found in ${ctx.files.check(p.inputs_from!, 'pdf_merge')}`);
}

const pdfMergeAction = implement(pdfMerge, {
  async run(p, ctx) {
    const out = ctx.files.check(p.out, 'pdf_merge');
    const inputs = await mergeInputs(p, out, ctx);
    if (!inputs.length) throw noInputs(p, ctx);
    const merged = await PDFDocument.create();
    for (const input of inputs) {
      throwIfAborted(ctx.signal);
      const doc = await loadPdf(input, ctx);
      const pages = await merged.copyPages(doc, doc.getPageIndices());
      for (const page of pages) merged.addPage(page);
    }
    const target = outputTarget(out, p.on_conflict, existsSync);
    await writeBytesAtomically(target, await merged.save());
    return { out_path: target, page_count: merged.getPageCount(), inputs };
  },
  async dryRun(p, ctx) {
    const out = ctx.files.check(p.out, 'pdf_merge');
    const inputs = await mergeInputs(p, out, ctx);
    if (!inputs.length) throw noInputs(p, ctx);
    let total = 0;
    for (const input of inputs) total += await pageCount(input, ctx);
    const view = new FileView(ctx);
    const target = outputTarget(out, p.on_conflict, (x) => view.exists(x));
    view.would(target, { pages: total });
    return { out_path: target, page_count: total, inputs, would_write: target };
  },
});

function pagesOrFail(spec: string, count: number, input: string): number[] {
  const { pages, missing } = selectPages(parsePageSpec(spec), count);
  if (missing.length) {
    throw new ActionError('PAGES_OUT_OF_RANGE', `pdf_extract_pages: page${missing.length > 1 ? 's' : ''} ${formatPages(missing)} ${missing.length > 1 ? 'are' : 'is'} out of range: ${input} has ${count} page${count === 1 ? '' : 's'}`, false, {
      missing,
      page_count: count,
    });
  }
  return pages;
}

const pdfExtractPagesAction = implement(pdfExtractPages, {
  async run(p, ctx) {
    const input = ctx.files.check(p.input, 'pdf_extract_pages');
    const doc = await loadPdf(input, ctx);
    const pages = pagesOrFail(p.pages, doc.getPageCount(), input);
    const outDoc = await PDFDocument.create();
    for (const page of await outDoc.copyPages(doc, pages.map((n) => n - 1))) outDoc.addPage(page);
    const target = outputTarget(ctx.files.check(p.out, 'pdf_extract_pages'), p.on_conflict, existsSync);
    await writeBytesAtomically(target, await outDoc.save());
    return { out_path: target, page_count: pages.length, pages };
  },
  async dryRun(p, ctx) {
    const input = ctx.files.check(p.input, 'pdf_extract_pages');
    const pages = pagesOrFail(p.pages, await pageCount(input, ctx), input);
    const view = new FileView(ctx);
    const target = outputTarget(ctx.files.check(p.out, 'pdf_extract_pages'), p.on_conflict, (x) => view.exists(x));
    view.would(target, { pages: pages.length });
    return { out_path: target, page_count: pages.length, pages, would_write: target };
  },
});

const assertPdfPagesAction = implement(assertPdfPages, {
  async run(p, ctx) {
    const path = ctx.files.check(p.path, 'assert_pdf_pages');
    const count = await pageCount(path, ctx);
    if (count !== p.expected_pages) {
      throw new ActionError('ASSERTION_FAILED', `assert_pdf_pages: expected ${p.expected_pages} page${p.expected_pages === 1 ? '' : 's'}, found ${count} in ${path}`, false, {
        expected: p.expected_pages,
        actual: count,
      });
    }
    return { path, page_count: count };
  },
});

export const pdfActions: readonly ActionDef[] = [pdfMergeAction, pdfExtractPagesAction, assertPdfPagesAction];
