import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src-shared/contract/runs';
import { descendants, stillRunning } from '../../test-support/process-tree';
import { startTestSite, type TestSite } from '../../test-support/web-test-site';
import { startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * Web templates end to end (issue 5): YAML templates enqueued over the HTTP API of a real
 * `desktop-agent serve`, run by its queue and engine in headless Chromium against local pages
 * (test-support/web-test-site.ts). What is checked is what a user sees: the run's status and step
 * records over the API, what the site's server received, and the artifacts as served over HTTP.
 */

// A run launches Chromium: seconds each, and several times that on a loaded 2-core machine.
const SLOW = { timeout: 150_000 };

let site: TestSite;
let agent: AgentServer;
let work: string;

beforeAll(async () => {
  site = await startTestSite();
  agent = await startAgentServer();
  work = mkdtempSync(join(tmpdir(), 'da-web-e2e-'));
}, 60_000);
afterAll(async () => {
  await agent?.cleanup();
  await site?.close();
  rmSync(work, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A template; every run is tried once (the queue's default policy would retry timeouts). */
const template = (name: string, steps: string, variables = '') => `dsl_version: "1.1"
name: "${name}"
variables:
  site: null
${variables}execution:
  retry: { max_attempts: 1 }
steps:
${steps}`;

async function runToEnd(yaml: string, variables: Record<string, unknown> = {}): Promise<RunView> {
  const id = await agent.enqueue(yaml, { site: site.url, ...variables });
  return agent.waitForRun(id);
}

const CONTACT_FILL = `  - open_browser: { url: "{{site}}/contact" }
  - fill_by_label: { label: 名前, text: 山田 太郎 }
  - fill_by_label: { label: メール, text: taro@example.jp }
`;

describe('the Japanese contact form', SLOW, () => {
  it('is filled through the synonyms 名前/メール/タイトル/本文, sent with 送信, and the success text is asserted', async () => {
    const run = await runToEnd(
      template(
        'お問い合わせ',
        `${CONTACT_FILL}  - fill_by_label: { label: タイトル, text: 見積もりのご依頼 }
  - fill_by_label: { label: 本文, text: "来月の納品について\\n相談させてください。" }
  - click_by_text: { text: 送信 }
  - assert_text: { contains: 送信が完了しました }
`,
      ),
    );
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.steps.map((s) => s.status)).toEqual(Array(7).fill('succeeded'));
    // The server got exactly these values (a textarea's line break is sent as CRLF).
    expect(site.submissions.at(-1)).toEqual({
      path: '/contact',
      fields: { name: '山田 太郎', email: 'taro@example.jp', subject: '見積もりのご依頼', phone: '', body: '来月の納品について\r\n相談させてください。', category: 'q' },
    });
    // Each step record says which label matched and how.
    const results = run.steps.map((s) => s.result as Record<string, unknown>);
    expect(results[1]).toMatchObject({ label: '名前', strategy: 'label', matched_label: 'お名前 必須', synonym: 'お名前', field: { tag: 'input', name: 'name' } });
    expect(results[2]).toMatchObject({ label: 'メール', strategy: 'label', matched_label: 'メールアドレス（必須）', synonym: 'メールアドレス', field: { type: 'email' } });
    expect(results[3]).toMatchObject({ label: 'タイトル', strategy: 'aria-label', matched_label: '件名', synonym: '件名' });
    expect(results[4]).toMatchObject({ label: '本文', strategy: 'nearby-text', matched_label: 'お問い合わせ内容', synonym: 'お問い合わせ内容', field: { tag: 'textarea' } });
    expect(results[5]).toMatchObject({ clicked: true, strategy: 'exact-text', element: { tag: 'button' } });
    expect(results[6]).toMatchObject({ passed: true, contains: '送信が完了しました' });
    // Typed text is not echoed in results: they count characters.
    expect(results[1]).toMatchObject({ chars: 5 });
  });

  it('shows the required-field errors when 件名 and 本文 are left empty', async () => {
    const before = site.submissions.length;
    const run = await runToEnd(
      template(
        '必須項目',
        `${CONTACT_FILL}  - click_by_text: { text: 送信 }
  - assert_text: { contains: 件名は必須です }
  - assert_text: { contains: お問い合わせ内容は必須です }
  - assert_element: { role: alert, count_gte: 2 }
`,
      ),
    );
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.steps[6]!.result).toMatchObject({ passed: true, count: 2 });
    expect(site.submissions.slice(before)).toEqual([{ path: '/contact', fields: expect.objectContaining({ name: '山田 太郎', email: 'taro@example.jp', subject: '', body: '' }) }]);
  });

  it('fails with the assertion message when the template expects success but the form was incomplete', async () => {
    const run = await runToEnd(
      template(
        '成功を期待',
        `${CONTACT_FILL}  - click_by_text: { text: 送信 }
  - assert_text: { contains: 送信が完了しました, timeout_ms: 2000 }
`,
      ),
    );
    expect(run.status).toBe('failed');
    expect(run.error_code).toBe('ASSERTION_FAILED');
    const message = `assert_text: '送信が完了しました' is not on ${site.url}/contact after 2000 ms; the page reads: 'お問い合わせフォーム 件名は必須です お問い合わせ内容は必須です`;
    expect(run.error!.startsWith(`steps[4] ${message}`), run.error!).toBe(true);
    expect(run.steps[4]).toMatchObject({ status: 'failed', error_code: 'ASSERTION_FAILED' });
    expect(run.steps[4]!.error).toContain(message);
    expect(run.attempt_history).toEqual([expect.objectContaining({ status: 'failed', error_code: 'ASSERTION_FAILED' })]);
  });
});

describe('frames, shadow roots and files', SLOW, () => {
  it('fills and clicks inside an iframe and inside a shadow root', async () => {
    const run = await runToEnd(
      template(
        'フレーム',
        `  - open_browser: { url: "{{site}}/frames" }
  - fill_by_label: { label: メール, text: frame@example.jp }
  - click_by_text: { text: Frame Button }
  - assert_text: { contains: "frame clicked: frame@example.jp" }
  - fill_by_label: { label: メッセージ, text: こんにちは }
  - click_by_text: { text: Shadow Button }
  - assert_text: { contains: "shadow clicked: こんにちは" }
`,
      ),
    );
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.steps[1]!.result).toMatchObject({ strategy: 'label', matched_label: 'Email', synonym: 'Email', frame: `${site.url}/frames/inner` });
    expect(run.steps[2]!.result).toMatchObject({ clicked: true, frame: `${site.url}/frames/inner` });
    expect(run.steps[4]!.result).toMatchObject({ strategy: 'label', matched_label: 'Message', shadow: true });
    expect((run.steps[4]!.result as Record<string, unknown>).frame).toBeUndefined();
  });

  it('uploads a real file, downloads one into the artifacts (served back over HTTP) and one into a folder', async () => {
    const upload = join(work, '見積書.pdf');
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 31) & 0xff)), Buffer.from('\n%%EOF\n')]);
    writeFileSync(upload, bytes);
    const folder = join(work, 'ダウンロード');
    const run = await runToEnd(
      template(
        'ファイル',
        `  - open_browser: { url: "{{site}}/files" }
  - upload_file: { label: 添付ファイル, path: "{{upload}}" }
  - click_by_text: { text: アップロード }
  - assert_text: { contains: "アップロード完了: 見積書.pdf (${bytes.length} bytes)" }
  - open_browser: { url: "{{site}}/files" }
  - download_file: { text: データをダウンロード }
  - download_file: { text: レポートをダウンロード, to: "{{folder}}/" }
`,
        '  upload: null\n  folder: null\n',
      ),
      { upload, folder },
    );
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.steps[1]!.result).toMatchObject({ uploaded: '見積書.pdf', bytes: bytes.length, via: 'label', matched_label: '添付ファイル' });
    expect(site.uploads.at(-1)!.filename).toBe('見積書.pdf');
    expect(sha(site.uploads.at(-1)!.data)).toBe(sha(bytes));

    const intoArtifacts = run.steps[5]!;
    expect(intoArtifacts.result).toMatchObject({ filename: 'data.bin', artifact: 'data.bin', bytes: site.binary.length, sha256: sha(site.binary), via: 'click' });
    expect(intoArtifacts.artifacts).toEqual([expect.objectContaining({ name: 'data.bin', kind: 'download', bytes: site.binary.length })]);
    const served = await agent.artifact(run.id, 'data.bin');
    expect(served.status).toBe(200);
    expect(served.body.equals(site.binary)).toBe(true);

    expect(run.steps[6]!.result).toMatchObject({ filename: 'レポート.csv', path: join(folder, 'レポート.csv'), bytes: site.csv.length });
    expect(readdirSync(folder)).toEqual(['レポート.csv']);
    expect(readFileSync(join(folder, 'レポート.csv')).equals(site.csv)).toBe(true);
  });
});

describe('failure paths', SLOW, () => {
  it('fails a label that exists nowhere, lists the labels found, and links a screenshot of the page from the step', async () => {
    const run = await runToEnd(
      template(
        '存在しないラベル',
        `  - open_browser: { url: "{{site}}/contact" }
  - fill_by_label: { label: 住所, text: 東京都千代田区, timeout_ms: 1000 }
`,
      ),
    );
    expect(run.status).toBe('failed');
    expect(run.error_code).toBe('WEB_ELEMENT_NOT_FOUND');
    const step = run.steps[1]!;
    expect(step.status).toBe('failed');
    expect(step.error).toContain("no input field labelled '住所'");
    expect(step.error).toContain('Labels found: お名前 必須, メールアドレス（必須）, 件名, 電話番号（任意）, お問い合わせ内容, 種別');
    expect(run.error).toContain('Labels found: お名前 必須');
    expect(step.error).not.toContain('東京都千代田区');

    expect(step.artifacts).toEqual([expect.objectContaining({ name: 'step-1.png', kind: 'screenshot', contentType: 'image/png' })]);
    const shot = await agent.artifact(run.id, 'step-1.png');
    expect(shot.status).toBe(200);
    expect(shot.contentType).toBe('image/png');
    const png = PNG.sync.read(shot.body);
    expect([png.width, png.height]).toEqual([1280, 720]);
    expect(shot.body.length).toBe(step.artifacts[0]!.bytes);
  });

  it('fails a navigation timeout with the URL and the time', async () => {
    const run = await runToEnd(template('タイムアウト', `  - open_browser: { url: "{{site}}/slow", timeout_ms: 3000 }\n`));
    expect(run.status).toBe('failed');
    expect(run.error_code).toBe('NETWORK_TIMEOUT');
    expect(run.steps[0]!.error).toBe(`open_browser: navigation to ${site.url}/slow timed out after 3000 ms`);
    expect(run.error).toBe(`steps[0] open_browser: navigation to ${site.url}/slow timed out after 3000 ms`);
  });

  it('closes the browser of a cancelled run within 2 s, leaving no chromium process behind', async () => {
    const id = await agent.enqueue(
      template(
        '取り消し',
        `  - open_browser: { url: "{{site}}/contact" }
  - wait_for_selector: { selector: "#never-there", timeout_ms: 600000 }
`,
      ),
      { site: site.url },
    );
    const chromium = () => descendants(agent.child.pid).filter((p) => /chrom/i.test(p.command));
    // Wait until the run is in its second step with the browser up.
    await agent.waitForRun(id, (r) => r.status === 'running' && r.steps[1]?.status === 'running');
    const pids = chromium().map((p) => p.pid);
    expect(pids.length).toBeGreaterThan(0);

    const cancelled = await agent.api('POST', `/api/runs/${id}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, json: { id, status: 'running' } });
    const asked = Date.now();
    while (stillRunning(pids).length && Date.now() - asked < 2_000) await new Promise((r) => setTimeout(r, 25));
    expect(stillRunning(pids), 'chromium processes alive 2 s after the cancel').toEqual([]);
    expect(chromium()).toEqual([]);

    const run = await agent.waitForRun(id);
    expect(run).toMatchObject({ status: 'cancelled', error_code: 'CANCELLED' });
    expect(run.steps[1]).toMatchObject({ status: 'failed', error_code: 'CANCELLED' });
  });
});
