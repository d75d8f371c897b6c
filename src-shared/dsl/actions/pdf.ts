import { z } from 'zod';
import { defineActionSpec } from '../action-spec';
import { PageSpecError, parsePageSpec } from '../page-spec';
import { int, onConflict, path, pathList, text } from '../params';
import { hasTemplate } from '../template-string';

export const pdfMerge = defineActionSpec({
  name: 'pdf_merge',
  family: 'pdf',
  summary: 'Merge PDFs (a list, or every PDF in a folder in name order) into one',
  params: z
    .strictObject({
      inputs: pathList('a list of PDF files').optional(),
      inputs_from: path('a folder of PDFs').optional(),
      out: path('the PDF to write'),
      on_conflict: onConflict('overwrite'),
    })
    .refine((p) => (p.inputs === undefined) !== (p.inputs_from === undefined), { error: 'give either inputs (a list of PDFs) or inputs_from (a folder)' }),
  idempotent: true,
  mutating: true,
  results: ['out_path', 'page_count', 'inputs', 'would_write'],
});

export const pdfExtractPages = defineActionSpec({
  name: 'pdf_extract_pages',
  family: 'pdf',
  summary: 'Write selected pages ("1,3-5") of a PDF into a new PDF',
  params: z.strictObject({
    input: path('a PDF file'),
    // A page number is a page list of one (`pages: 2`, or a variable holding 2).
    pages: z.preprocess(
      (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v),
      text(1_000, 'pages such as "1,3-5" or a page number').superRefine((v, ctx) => {
        if (hasTemplate(v)) return;
        try {
          parsePageSpec(v);
        } catch (e) {
          if (e instanceof PageSpecError) ctx.addIssue({ code: 'custom', message: e.message });
          else throw e;
        }
      }),
    ),
    out: path('the PDF to write'),
    on_conflict: onConflict('overwrite'),
  }),
  idempotent: true,
  mutating: true,
  results: ['out_path', 'page_count', 'pages', 'would_write'],
});

export const assertPdfPages = defineActionSpec({
  name: 'assert_pdf_pages',
  family: 'pdf',
  summary: 'Fail unless a PDF has the expected number of pages',
  params: z.strictObject({ path: path('a PDF file'), expected_pages: int(0, 1_000_000, 'a page count') }),
  idempotent: true,
  mutating: false,
  results: ['path', 'page_count'],
});

export const PDF_ACTION_SPECS = [pdfMerge, pdfExtractPages, assertPdfPages] as const;
