import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../../../test-support/raw-http';
import { actionHarness, type Harness } from '../../../../test-support/action-harness';
import { descendants, stillRunning } from '../../../../test-support/process-tree';
import { startTestSite, type TestSite } from '../../../../test-support/web-test-site';
import { ActionError, type ActionContext, type ActionResult } from '../action-types';
import { webActions } from './web';

/**
 * Web actions against local pages in Debian's Chromium (headless), driven the way the runner
 * will: params parsed with the action's schema, one ActionContext per step, one scratch per run.
 */

let site: TestSite;
let h: Harness;
let stepNo = 0;

beforeAll(async () => {
  site = await startTestSite();
});
afterAll(async () => {
  await site.close();
});
afterEach(async () => {
  await h?.cleanup();
});

function newRun(options: Parameters<typeof actionHarness>[0] = {}): Harness {
  h = actionHarness(options);
  stepNo = 0;
  return h;
}

const def = (name: string) => {
  const found = webActions.find((a) => a.name === name);
  if (!found) throw new Error(`no web action ${name}`);
  return found;
};

async function step(name: string, params: unknown, overrides: Partial<ActionContext> = {}): Promise<ActionResult> {
  const action = def(name);
  const ctx = h.ctx(stepNo++, overrides);
  const parsed = action.params.parse(params);
  return ctx.dryRun && action.mutating ? action.dryRun!(parsed, ctx) : action.run(parsed, ctx);
}

async function failure(p: Promise<unknown>): Promise<ActionError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ActionError);
  return e as ActionError;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const chromiumPids = () => descendants().filter((p) => /chrom/i.test(p.command)).map((p) => p.pid);

describe('Japanese contact form', () => {
  it('fills お名前/メールアドレス/件名/お問い合わせ内容 through the synonyms 名前/メール/タイトル/本文, submits with 送信 and sees the success page', async () => {
    newRun();
    const opened = await step('open_browser', { url: `${site.url}/contact` });
    expect(opened).toMatchObject({ status: 200, title: 'お問い合わせ', context: 'default', reused: false, visible: false });

    const name = await step('fill_by_label', { label: '名前', text: '山田 太郎' });
    expect(name).toMatchObject({ filled: true, strategy: 'label', matched_label: 'お名前 必須', synonym: 'お名前', match: 'exact', chars: 5 });
    const mail = await step('fill_by_label', { label: 'メール', text: 'taro@example.jp' });
    expect(mail).toMatchObject({ strategy: 'label', matched_label: 'メールアドレス（必須）', synonym: 'メールアドレス' });
    const subject = await step('fill_by_label', { label: 'タイトル', text: '見積もりのご依頼' });
    expect(subject).toMatchObject({ strategy: 'aria-label', matched_label: '件名', synonym: '件名' });
    const body = await step('fill_by_label', { label: '本文', text: '来月の納品について\n相談させてください。' });
    expect(body).toMatchObject({ strategy: 'nearby-text', matched_label: 'お問い合わせ内容', synonym: 'お問い合わせ内容', field: { tag: 'textarea', name: 'body' } });
    const phone = await step('fill_by_label', { label: '電話', text: '03-1234-5678' });
    expect(phone).toMatchObject({ strategy: 'placeholder', matched_label: '電話番号（任意）' });
    const category = await step('fill_by_label', { label: '種別', text: '資料請求' });
    expect(category).toMatchObject({ strategy: 'aria-label', field: { tag: 'select' } });

    const clicked = await step('click_by_text', { text: '送信' });
    expect(clicked).toMatchObject({ clicked: true, strategy: 'exact-text', attempts: 1, element: { tag: 'button' } });
    expect(await step('assert_text', { contains: '送信が完了しました' })).toMatchObject({ passed: true });
    expect(await step('assert_text', { contains: '山田 太郎 様' })).toMatchObject({ passed: true });

    // (A submitted textarea's line breaks are CRLF, as the HTML form encoding says.)
    expect(site.submissions.at(-1)).toEqual({
      path: '/contact',
      fields: { name: '山田 太郎', email: 'taro@example.jp', subject: '見積もりのご依頼', phone: '03-1234-5678', body: '来月の納品について\r\n相談させてください。', category: 'r' },
    });
  });

  it('shows the required-field errors when fields are left empty, and assert_element counts them', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/contact` });
    await step('fill_by_label', { label: 'お名前', text: '佐藤' });
    await step('click_by_text', { text: '送信', role: 'button' });
    expect(await step('assert_element', { role: 'alert', count_gte: 3 })).toMatchObject({ passed: true, count: 3 });
    expect(await step('assert_text', { contains: 'メールアドレスは必須です' })).toMatchObject({ passed: true });
    const e = await failure(step('assert_element', { role: 'alert', count_gte: 4, timeout_ms: 300 }));
    expect(e.code).toBe('ASSERTION_FAILED');
    expect(e.message).toContain('expected at least 4 visible element(s) with role alert');
    expect(e.message).toContain('found 3');
    const t = await failure(step('assert_text', { contains: '送信が完了しました', timeout_ms: 300 }));
    expect(t.code).toBe('ASSERTION_FAILED');
    expect(t.message).toContain(`${site.url}/contact`);
  });

  it('fails a label that exists nowhere with the labels that were found', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/contact` });
    const e = await failure(step('fill_by_label', { label: '住所', text: '東京都', timeout_ms: 300 }));
    expect(e.code).toBe('WEB_ELEMENT_NOT_FOUND');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain("no input field labelled '住所'");
    expect(e.message).toContain('tried: 住所, ご住所, Address');
    expect(e.message).toMatch(/Labels found: お名前 必須, メールアドレス（必須）, 件名, 電話番号（任意）, お問い合わせ内容, 種別/);
    expect(e.message).not.toContain('東京都');
    expect(e.details).toMatchObject({ labels_found: ['お名前 必須', 'メールアドレス（必須）', '件名', '電話番号（任意）', 'お問い合わせ内容', '種別'] });

    // What the robot saw: the runner stores this screenshot on the failed step.
    const shot = await def('fill_by_label').captureScreenshot!(h.ctx(stepNo - 1));
    expect(shot).toMatchObject({ kind: 'screenshot', contentType: 'image/png', name: `step-${stepNo - 1}.png` });
    const png = PNG.sync.read(readFileSync(join(h.artifacts.dir, shot!.name)));
    expect([png.width, png.height]).toEqual([1280, 720]);
  });

  it('lists the buttons it found when click_by_text finds nothing, after one reload', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/contact` });
    const e = await failure(step('click_by_text', { text: '削除する', timeout_ms: 300 }));
    expect(e.code).toBe('WEB_ELEMENT_NOT_FOUND');
    expect(e.message).toContain("no clickable element with text '削除する'");
    expect(e.message).toContain('after 2 attempts (reloaded once)');
    expect(e.message).toContain('Buttons and links found: 送信, 戻る');
  });
});

describe('click recovery', () => {
  it('reloads once when the button is not there and records it', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/flaky` });
    const r = await step('click_by_text', { text: '次へ', timeout_ms: 500 });
    expect(r).toMatchObject({ clicked: true, recovery: 'reload', attempts: 2 });
    expect(await step('assert_element', { text: '完了', role: 'button' })).toMatchObject({ passed: true, count: 1 });
  });

  it('does not reload a page that a form POST produced (it would send the form again)', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/contact` });
    await step('click_by_text', { text: '送信' });
    const before = site.submissions.length;
    const e = await failure(step('click_by_text', { text: '存在しないボタン', timeout_ms: 300 }));
    expect(e.message).toContain('no reload: the page is the result of a POST');
    expect(site.submissions.length).toBe(before);
  });
});

describe('frames and shadow DOM', () => {
  it('fills and clicks inside an iframe and inside a shadow root, and reads their text', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/frames` });
    const inFrame = await step('fill_by_label', { label: 'メール', text: 'frame@example.jp' });
    expect(inFrame).toMatchObject({ strategy: 'label', matched_label: 'Email', frame: `${site.url}/frames/inner` });
    const inShadow = await step('fill_by_label', { label: 'メッセージ', text: 'こんにちは' });
    expect(inShadow).toMatchObject({ strategy: 'label', matched_label: 'Message', shadow: true });
    expect(inShadow.frame).toBeUndefined();

    expect(await step('click_by_text', { text: 'Frame Button' })).toMatchObject({ frame: `${site.url}/frames/inner` });
    expect(await step('assert_text', { contains: 'frame clicked: frame@example.jp' })).toMatchObject({ passed: true });
    await step('click_by_text', { text: 'Shadow Button' });
    expect(await step('assert_text', { contains: 'shadow clicked: こんにちは' })).toMatchObject({ passed: true });
    expect(await step('wait_for_selector', { selector: '#sb' })).toMatchObject({ found: true, count: 1 });
    expect(await step('wait_for_element', { text: 'frame idle', timeout_ms: 200 }).catch((e: ActionError) => e.code)).toBe('WEB_ELEMENT_NOT_FOUND');
    expect(await step('assert_element', { role: 'button', count_gte: 2 })).toMatchObject({ count: 2 });

    const schema = await step('capture_dom_schema', {});
    expect(schema).toMatchObject({ frames: 2, roles: { button: 2, textbox: 2 } });
    const file = JSON.parse(readFileSync(join(h.artifacts.dir, schema.artifact as string), 'utf8')) as {
      frames: { url: string; elements: { role: string; name: string; shadow: boolean }[] }[];
    };
    expect(file.frames[0].elements).toEqual(
      expect.arrayContaining([expect.objectContaining({ role: 'button', name: 'Shadow Button', shadow: true }), expect.objectContaining({ role: 'textbox', name: 'Message', shadow: true })]),
    );
    expect(file.frames[1]).toMatchObject({ url: `${site.url}/frames/inner` });
    expect(file.frames[1].elements).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'textbox', name: 'Email' })]));
    // Values typed into fields are never part of the schema.
    expect(JSON.stringify(file)).not.toContain('frame@example.jp');
    expect(JSON.stringify(file)).not.toContain('こんにちは');
  });
});

describe('files', () => {
  it('uploads a real file the server receives byte for byte', async () => {
    newRun();
    const file = join(h.dir, '見積書.pdf');
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(50_000, 0x41), Buffer.from('\n%%EOF\n')]);
    writeFileSync(file, bytes);
    await step('open_browser', { url: `${site.url}/files` });
    const r = await step('upload_file', { path: file, label: '添付' });
    expect(r).toMatchObject({ uploaded: '見積書.pdf', bytes: bytes.length, via: 'label', strategy: 'label', matched_label: '添付ファイル', match: 'partial' });
    await step('click_by_text', { text: 'アップロード' });
    expect(await step('assert_text', { contains: `(${bytes.length} bytes)` })).toMatchObject({ passed: true });
    expect(site.uploads.at(-1)?.filename).toBe('見積書.pdf');
    expect(sha(site.uploads.at(-1)!.data)).toBe(sha(bytes));

    await step('open_browser', { url: `${site.url}/files` });
    expect(await step('upload_file', { path: file, selector: '#f' })).toMatchObject({ via: 'selector', selector: '#f' });
    const missing = await failure(step('upload_file', { path: join(h.dir, 'nope.pdf'), selector: '#f' }));
    expect(missing.code).toBe('FILE_NOT_FOUND');
  });

  it('downloads by clicking a link into the artifacts, by URL to a folder, and waits for a download a click started', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/files` });
    const byClick = await step('download_file', { text: 'レポートをダウンロード' });
    expect(byClick).toMatchObject({ via: 'click', bytes: site.csv.length, sha256: sha(site.csv) });
    expect(readFileSync(join(h.artifacts.dir, byClick.artifact as string))).toEqual(site.csv);
    expect(h.artifacts.refs.find((r) => r.name === byClick.artifact)).toMatchObject({ kind: 'download', contentType: 'text/csv' });

    const folder = join(h.dir, 'downloads') + '/';
    const byUrl = await step('download_file', { url: '/download/report.csv', to: folder });
    expect(byUrl).toMatchObject({ via: 'url', filename: 'レポート.csv', path: join(h.dir, 'downloads', 'レポート.csv') });
    expect(readFileSync(byUrl.path as string)).toEqual(site.csv);

    await step('click_by_text', { text: 'データをダウンロード' });
    const target = join(h.dir, 'out', 'data-copy.bin');
    const waited = await step('wait_for_download', { to: target });
    expect(waited).toMatchObject({ filename: 'data.bin', path: target, bytes: site.binary.length, sha256: sha(site.binary) });
    expect(readFileSync(target).equals(site.binary)).toBe(true);

    const none = await failure(step('wait_for_download', { timeout_ms: 300 }));
    expect(none.code).toBe('DOWNLOAD_NOT_STARTED');
  });
});

describe('named contexts', () => {
  it('keeps cookies per named context across steps of a run', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/login`, context: 'a' });
    await step('fill_by_label', { label: 'ユーザー名', text: 'alice' });
    await step('click_by_text', { text: 'ログイン' });
    await step('open_browser', { url: `${site.url}/whoami`, context: 'b' });
    expect(await step('assert_text', { contains: 'user: anonymous' })).toMatchObject({ passed: true });
    expect(await step('open_browser', { url: `${site.url}/whoami`, context: 'a' })).toMatchObject({ reused: true });
    expect(await step('assert_text', { contains: 'user: alice' })).toMatchObject({ passed: true });
  });

  it('closes the browser when the run ends', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/` });
    const pids = chromiumPids();
    expect(pids.length).toBeGreaterThan(0);
    await h.endRun();
    expect(stillRunning(pids)).toEqual([]);
    const e = await failure(step('assert_text', { contains: 'トップ' }));
    expect(e.code).toBe('WEB_NO_BROWSER');
  });
});

describe('failure paths', () => {
  it('fails a navigation timeout with the URL and the time', async () => {
    newRun({ config: { web: { navigation_timeout_ms: 800 } } });
    const e = await failure(step('open_browser', { url: `${site.url}/slow` }));
    expect(e.code).toBe('NETWORK_TIMEOUT');
    expect(e.retryable).toBe(true);
    expect(e.message).toBe(`open_browser: navigation to ${site.url}/slow timed out after 800 ms`);
    // A step's own timeout_ms is its navigation timeout, so the message still names the URL;
    // and the timed-out navigation was stopped, so trying again (a step retry) times out again
    // instead of failing at once with net::ERR_ABORTED.
    const own = await failure(step('open_browser', { url: `${site.url}/slow`, timeout_ms: 300 }));
    expect(own.message).toBe(`open_browser: navigation to ${site.url}/slow timed out after 300 ms`);
  });

  it('fails on an HTTP error page and on an unreachable server', async () => {
    newRun();
    const notFound = await failure(step('open_browser', { url: `${site.url}/missing` }));
    expect(notFound).toMatchObject({ code: 'WEB_HTTP_ERROR', retryable: false });
    expect(notFound.message).toContain('answered HTTP 404');
    const closed = await closedPort();
    const refused = await failure(step('open_browser', { url: `http://127.0.0.1:${closed}/` }));
    expect(refused).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(refused.message).toContain('net::ERR_CONNECTION_REFUSED');
  });

  it('closes the browser within 2 s of a cancel, leaving no chromium process', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/contact` });
    const pids = chromiumPids();
    expect(pids.length).toBeGreaterThan(0);
    const waiting = step('wait_for_selector', { selector: '#never-there', timeout_ms: 30_000 });
    await new Promise((r) => setTimeout(r, 300)); // let the wait start polling
    const started = Date.now();
    h.controller.abort(new Error('cancelled by a person'));
    const e = await failure(waiting);
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toBe('Cancelled: cancelled by a person');
    while (stillRunning(pids).length && Date.now() - started < 2_000) await new Promise((r) => setTimeout(r, 50));
    expect(stillRunning(pids)).toEqual([]);
    expect(chromiumPids()).toEqual([]);
    // A later step of the same run (continue_on_error) says what happened to the browser.
    const later = await failure(step('assert_text', { contains: 'x' }, { signal: new AbortController().signal }));
    expect(later.message).toBe('assert_text: the browser was closed when step 1 was cancelled or timed out; open_browser again');
  });

  it('says which step to add when no browser is open, and rejects bad selectors and URLs clearly', async () => {
    newRun();
    expect((await failure(step('click_by_text', { text: '送信' }))).message).toBe('click_by_text: no browser is open in this run; add an open_browser step before it');
    expect((await failure(step('open_browser', { url: 'javascript:alert(1)' }))).code).toBe('INVALID_URL');
    await step('open_browser', { url: `${site.url}/contact` });
    const bad = await failure(step('wait_for_selector', { selector: 'div[[', timeout_ms: 200 }));
    expect(bad.code).toBe('INVALID_SELECTOR');
  });
});

describe('secrets', () => {
  it('never puts typed text in results, errors, logs, artifacts or their metadata', async () => {
    newRun();
    const secret = 'S3cr3t-パスワード!';
    await step('open_browser', { url: `${site.url}/login` });
    await step('fill_by_label', { label: 'Username', text: 'alice' });
    const filled = await step('fill_by_label', { label: 'パスワード', text: secret });
    expect(filled).toMatchObject({ filled: true, chars: [...secret].length, field: { type: 'password' } });
    const err = await failure(step('fill_by_label', { label: '合言葉', text: secret, timeout_ms: 200 }));
    await step('capture_dom_schema', {});
    await step('take_screenshot', { name: 'login' });
    await def('fill_by_label').captureScreenshot!(h.ctx(stepNo));
    await step('click_by_text', { text: 'ログイン' });
    expect(site.submissions.at(-1)?.fields).toEqual({ user: 'alice', password: secret });

    const stored = [JSON.stringify(filled), err.message, JSON.stringify(err.details), h.logs.lines.join('\n'), JSON.stringify(h.artifacts.refs)];
    for (const text of stored) expect(text).not.toContain(secret);
    for (const ref of h.artifacts.refs.filter((r) => r.contentType !== 'image/png')) {
      expect(readFileSync(join(h.artifacts.dir, ref.name), 'utf8')).not.toContain(secret);
    }
  });
});

describe('dry run', () => {
  it('finds the fields and the button but types and clicks nothing; checks after the skipped click say they were not checked', async () => {
    newRun();
    const dry = { dryRun: true };
    await step('open_browser', { url: `${site.url}/contact` }, dry);
    const fill = await step('fill_by_label', { label: '名前', text: '山田' }, dry);
    expect(fill).toMatchObject({ would_fill: true, found: true, matched_label: 'お名前 必須', chars: 2 });
    const click = await step('click_by_text', { text: '送信' }, dry);
    expect(click).toMatchObject({ would_click: true, found: true, strategy: 'exact-text' });
    const check = await step('assert_text', { contains: '送信が完了しました' }, dry);
    expect(check).toMatchObject({ checked: false });
    expect(check.dry_run).toContain("click_by_text '送信'");
    expect(site.submissions.filter((s) => s.path === '/contact' && s.fields.name === '山田')).toEqual([]);
    expect(await step('take_screenshot', { name: 'dry' }, dry)).toMatchObject({ artifact: 'dry.png' });
  });

  it('still fails a dry run whose field is missing on a page a real run would see', async () => {
    newRun();
    await step('open_browser', { url: `${site.url}/contact` }, { dryRun: true });
    const e = await failure(step('fill_by_label', { label: '住所', text: 'x', timeout_ms: 200 }, { dryRun: true }));
    expect(e.code).toBe('WEB_ELEMENT_NOT_FOUND');
  });
});

describe('browser discovery', () => {
  it('drives the Chromium installed on the system when no path is configured, and a configured path otherwise', async () => {
    newRun();
    expect(await step('open_browser', { url: `${site.url}/` })).toMatchObject({ browser: '/usr/bin/chromium' });
    await h.cleanup();
    newRun({ browserPath: '/nonexistent/chrome' });
    const e = await failure(step('open_browser', { url: `${site.url}/` }));
    expect(e.code).toBe('BROWSER_NOT_FOUND');
    expect(e.message).toContain('--browser / DESKTOP_AGENT_BROWSER_PATH');
  });
});
