import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { validateTemplate } from '@shared/dsl/validate';
import { engineHarness, mapSecrets, type EngineHarness } from '../../../test-support/engine';
import { REPO_ROOT } from '../../../test-support/temp-core';
import { startTestSite, type TestSite } from '../../../test-support/web-test-site';
import { hashTree, pageCountOf, tempDir, writePdf } from '../../../test-support/files';
import { localDate } from '../engine/actions/file-access';

const TEMPLATES = join(REPO_ROOT, 'configs', 'templates');
const read = (name: string) => readFileSync(join(TEMPLATES, name), 'utf8');
const DAY = 86_400_000;
const age = (path: string, days: number) => {
  const t = new Date(Date.now() - days * DAY);
  utimesSync(path, t, t);
};

let h: EngineHarness;
afterEach(() => h?.cleanup());

describe('the shipped templates', () => {
  it('all validate without errors or warnings', () => {
    const files = readdirSync(TEMPLATES).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(['csv_to_form.yaml', 'downloads_tidy.yaml', 'secure_api_call.yaml', 'weekly_report.yaml']);
    for (const f of files) {
      const r = validateTemplate(read(f));
      expect(r.errors, f).toEqual([]);
      expect(r.warnings, f).toEqual([]);
    }
  });
});

describe('weekly_report.yaml', () => {
  async function inbox() {
    const root = tempDir('weekly');
    const box = join(root, 'Downloads');
    const reports = join(root, 'Reports 報告');
    await writePdf(join(box, '営業 週報.pdf'), 2, 'sales');
    await writePdf(join(box, 'dev report.pdf'), 3, 'dev');
    await writePdf(join(box, 'old.pdf'), 4, 'old');
    writeFileSync(join(box, 'notes.txt'), 'not a pdf');
    age(join(box, '営業 週報.pdf'), 1);
    age(join(box, 'dev report.pdf'), 2);
    age(join(box, 'old.pdf'), 30);
    return { root, box, reports, variables: { inbox: box, reports, to: '部長 <boss@example.com>' } };
  }

  it('dry run changes no file (tree hashed before and after) and lists what it would do', async () => {
    h = engineHarness();
    const { root, box, reports, variables } = await inbox();
    const before = hashTree(root);
    const r = await h.run(read('weekly_report.yaml'), { variables, dryRun: true });
    expect(r.outcome, JSON.stringify(r.view.steps.map((s) => s.error))).toMatchObject({ status: 'succeeded' });
    expect(hashTree(root)).toEqual(before);
    expect(existsSync(join(h.artifactsDir, r.runId))).toBe(false);
    const date = localDate(Date.now());
    const dest = join(reports, date);
    const results = r.view.steps.map((s) => s.result as Record<string, unknown>);
    expect(results[0]).toMatchObject({ found: 2, files: [join(box, 'dev report.pdf'), join(box, '営業 週報.pdf')] });
    expect(results[2]).toMatchObject({
      moved: 0,
      would_move: [
        { from: join(box, 'dev report.pdf'), to: join(dest, `${date}_01_dev report.pdf`) },
        { from: join(box, '営業 週報.pdf'), to: join(dest, `${date}_02_営業 週報.pdf`) },
      ],
    });
    expect(results[3]).toMatchObject({ would_write: join(dest, `weekly-report-${date}.pdf`), page_count: 5 });
    expect(results[4]).toMatchObject({ would_write: join(dest, `summary-${date}.pdf`), page_count: 1, pages: [1] });
    expect(results[7]).toEqual({ would_save: { name: `weekly-report-${date}.eml`, subject: `週報 ${date} / Weekly report`, to: ['部長 <boss@example.com>'], attachments: [`summary-${date}.pdf`] } });
    expect(r.view.steps[8]!.status).toBe('skipped');
  });

  it('files, merges, extracts and drafts the mail for real', async () => {
    h = engineHarness();
    const { box, reports, variables } = await inbox();
    const r = await h.run(read('weekly_report.yaml'), { variables });
    expect(r.outcome.status).toBe('succeeded');
    const date = localDate(Date.now());
    const dest = join(reports, date);
    expect(readdirSync(box).sort()).toEqual(['notes.txt', 'old.pdf']);
    expect(readdirSync(dest).sort()).toEqual([`${date}_01_dev report.pdf`, `${date}_02_営業 週報.pdf`, `summary-${date}.pdf`, `weekly-report-${date}.pdf`]);
    expect(await pageCountOf(join(dest, `weekly-report-${date}.pdf`))).toBe(5);
    expect(await pageCountOf(join(dest, `summary-${date}.pdf`))).toBe(1);
    const mail = await simpleParser(readFileSync(join(h.artifactsDir, r.runId, `weekly-report-${date}.eml`)));
    expect(mail.subject).toBe(`週報 ${date} / Weekly report`);
    expect(mail.text).toContain(`今週の PDF 2 件（5 ページ）を ${reports}/${date} に整理しました。`);
    expect(mail.attachments.map((a) => a.filename)).toEqual([`summary-${date}.pdf`]);
  });

  it('says there is nothing to report when the inbox has no new PDFs', async () => {
    h = engineHarness();
    const root = tempDir('weekly-empty');
    const r = await h.run(read('weekly_report.yaml'), { variables: { inbox: root, reports: join(root, 'r') } });
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps.map((s) => s.status)).toEqual(['succeeded', ...Array(7).fill('skipped'), 'succeeded']);
    expect(r.view.steps[8]!.result).toEqual({ message: `No new PDFs in ${root} this week; nothing to report`, level: 'info' });
  });
});

describe('downloads_tidy.yaml', () => {
  it('sorts old downloads into folders and leaves new and partial files', async () => {
    h = engineHarness();
    const dl = tempDir('downloads');
    const files: Record<string, number> = { '請求書.pdf': 3, 'photo 1.JPG': 5, 'setup.dmg': 9, 'data.zip': 2, '議事録.docx': 4, 'budget.xlsx': 4, 'fresh.pdf': 0, 'movie.mp4.crdownload': 5 };
    for (const [name, days] of Object.entries(files)) {
      mkdirSync(dirname(join(dl, name)), { recursive: true });
      writeFileSync(join(dl, name), name);
      age(join(dl, name), days);
    }
    writeFileSync(join(dl, 'PDF'), 'a file named like the target folder');
    const blocked = await h.run(read('downloads_tidy.yaml'), { variables: { downloads: dl } });
    expect(blocked.outcome).toMatchObject({ status: 'failed', errorCode: 'NOT_A_FOLDER', failedStep: 1 });
    expect(readdirSync(dl)).toContain('請求書.pdf');

    rmSync(join(dl, 'PDF'));
    const r = await h.run(read('downloads_tidy.yaml'), { variables: { downloads: dl } });
    expect(r.outcome.status).toBe('succeeded');
    expect(readdirSync(join(dl, 'PDF'))).toEqual(['請求書.pdf']);
    expect(readdirSync(join(dl, 'Images'))).toEqual(['photo 1.JPG']);
    expect(readdirSync(join(dl, 'Archives')).sort()).toEqual(['data.zip', 'setup.dmg']);
    expect(readdirSync(join(dl, 'Documents')).sort()).toEqual(['budget.xlsx', '議事録.docx']);
    expect(readdirSync(dl).sort()).toEqual(['Archives', 'Documents', 'Images', 'PDF', 'fresh.pdf', 'movie.mp4.crdownload']);
    expect(r.view.steps[8]!.result).toMatchObject({ message: `Tidied ${dl}: 1 PDF, 1 image, 2 archive and 2 document file(s)` });
  });
});

describe('csv_to_form.yaml in Chromium', () => {
  let site: TestSite;
  afterEach(async () => site?.close());

  it('asks once, then enters every CSV row into the form and keeps a screenshot of each', async () => {
    site = await startTestSite();
    h = engineHarness();
    const dir = tempDir('csv-form');
    writeFileSync(join(dir, 'contacts.csv'), '氏名,メール,件名,本文\n山田 太郎,taro@example.com,見積依頼,"A4 を 100 部、\n来週までに"\n佐藤 花子,hanako@example.com,資料請求,カタログをください\n');
    const first = await h.run(read('csv_to_form.yaml'), { variables: { csv: join(dir, 'contacts.csv'), form_url: `${site.url}/contact` } });
    expect(first.outcome).toMatchObject({ status: 'waiting_approval', approval: { message: `2 件のフォームを ${site.url}/contact に送信しますか？ / Submit 2 form(s)?`, risk_level: 'high' } });
    expect(site.submissions).toEqual([]);
    h.db.prepare("update runs set status = 'waiting_approval' where id = ?").run(first.runId);
    h.runs.recordApprovalDecision(first.runId, { outcome: 'approved', by: 'editor1', at: new Date().toISOString() });
    const done = await h.resume(first.runId);
    expect(done.outcome, JSON.stringify(done.view.steps[2]?.result)).toMatchObject({ status: 'succeeded' });
    expect(site.submissions.map((s) => s.fields)).toEqual([
      expect.objectContaining({ name: '山田 太郎', email: 'taro@example.com', subject: '見積依頼', body: 'A4 を 100 部、\r\n来週までに' }), // forms send CRLF
      expect.objectContaining({ name: '佐藤 花子', email: 'hanako@example.com', subject: '資料請求', body: 'カタログをください' }),
    ]);
    expect(done.view.steps[2]!.artifacts.map((a) => a.name)).toEqual(['row-1.png', 'row-2.png']);
    expect(done.view.steps[3]!.result).toEqual({ message: 'Submitted 2 of 2 form(s)', level: 'info' });
  }, 120_000);
});

describe('secure_api_call.yaml', () => {
  let server: Server;
  afterEach(async () => new Promise<void>((r) => server.close(() => r())));

  it('calls the API with keychain secrets, waits for approval, then deploys; no secret is stored', async () => {
    const seen: { url: string; auth?: string; key?: string; body: string }[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url!, auth: req.headers.authorization, key: req.headers['x-api-key'] as string | undefined, body });
        res.writeHead(req.url === '/deploy' ? 202 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(req.url === '/deploy' ? { queued: true } : { version: '2.4.0' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = engineHarness({ secrets: mapSecrets({ api_key: 'sk-prod-abcdef', 'external_api/api_key': 'ext-123456' }) });

    const first = await h.run(read('secure_api_call.yaml'), { variables: { api_base: api } });
    expect(first.outcome).toMatchObject({ status: 'waiting_approval', approval: { message: '本番環境へのデプロイを実行しますか？ (production)', details: 'The API answered: {"version":"2.4.0"}', required_role: 'Editor', risk_level: 'high', auto_action: 'deny' } });
    expect(seen).toEqual([{ url: '/data', auth: 'Bearer sk-prod-abcdef', key: 'ext-123456', body: '' }]);

    h.db.prepare("update runs set status = 'waiting_approval' where id = ?").run(first.runId);
    h.runs.recordApprovalDecision(first.runId, { outcome: 'approved', by: 'editor1', at: new Date().toISOString() });
    const done = await h.resume(first.runId);
    expect(done.outcome.status).toBe('succeeded');
    expect(seen[1]).toEqual({ url: '/deploy', auth: 'Bearer sk-prod-abcdef', key: undefined, body: '{"target":"production","approved_by":"editor1"}' });
    expect(done.view.steps[3]!.result).toEqual({ message: 'Deployed to production: HTTP 202', level: 'info' });
    const stored = JSON.stringify(h.db.prepare('select * from run_steps').all()) + JSON.stringify(h.db.prepare('select * from runs').all()) + h.logs.lines.join('');
    expect(stored).not.toContain('sk-prod-abcdef');
    expect(stored).not.toContain('ext-123456');
    expect(done.view.steps[2]!.params).toMatchObject({ headers: { Authorization: 'Bearer ***' } });
  });
});
