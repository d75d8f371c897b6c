import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Local pages for the web action tests (node:http on 127.0.0.1, port 0):
 * - /contact     a Japanese contact form (お名前 by <label for>, メールアドレス by a wrapping
 *                label, 件名 by aria-label, お問い合わせ内容 as table-header text), required-field
 *                errors, a 送信 button, and a success page;
 * - /login       a password field (secrets must not leak); it sets a cookie that /whoami shows;
 * - /frames      an iframe with a form and a button, and a shadow root with a field and a button;
 * - /files       a file upload form (multipart) and download links (CSV, binary);
 * - /flaky       a button that only appears after one reload;
 * - /slow        a page that never answers (navigation timeouts).
 */

export interface Submission {
  path: string;
  fields: Record<string, string>;
}

export interface Upload {
  field: string;
  filename: string;
  data: Buffer;
}

export interface TestSite {
  url: string;
  submissions: Submission[];
  uploads: Upload[];
  /** Bytes served at /download/data.bin. */
  binary: Buffer;
  csv: Buffer;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) =>
  `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>${body}</body></html>`;

const REQUIRED: [string, string][] = [
  ['name', 'お名前'],
  ['email', 'メールアドレス'],
  ['subject', '件名'],
  ['body', 'お問い合わせ内容'],
];

function contactForm(values: Record<string, string> = {}, errors: string[] = []): string {
  const v = (k: string) => esc(values[k] ?? '');
  return page(
    'お問い合わせ',
    `<h1>お問い合わせフォーム</h1>
    ${errors.length ? `<ul class="errors">${errors.map((e) => `<li role="alert">${esc(e)}</li>`).join('')}</ul>` : ''}
    <form method="post" action="/contact">
      <p><label for="name">お名前 <span class="req">必須</span></label> <input id="name" name="name" value="${v('name')}"></p>
      <p><label>メールアドレス（必須）<input type="email" name="email" value="${v('email')}"></label></p>
      <p><input name="subject" aria-label="件名" value="${v('subject')}"></p>
      <p><input name="phone" placeholder="電話番号（任意）" value="${v('phone')}"></p>
      <table><tr><th>お問い合わせ内容</th><td><textarea name="body">${v('body')}</textarea></td></tr></table>
      <p><select name="category" aria-label="種別"><option value="q">ご質問</option><option value="r">資料請求</option></select></p>
      <button type="submit">送信</button> <a href="/">戻る</a>
    </form>`,
  );
}

const LOGIN = page(
  'ログイン',
  `<form method="post" action="/login">
    <label for="u">ユーザー名</label><input id="u" name="user">
    <label for="p">パスワード</label><input id="p" name="password" type="password">
    <button type="submit">ログイン</button>
  </form>`,
);

const FRAMES = page(
  'Frames and shadow DOM',
  `<h1>Frames and shadow DOM</h1>
  <iframe src="/frames/inner" title="inner" width="600" height="200"></iframe>
  <div id="host"></div>
  <p id="status">idle</p>
  <script>
    const root = document.getElementById('host').attachShadow({ mode: 'open' });
    root.innerHTML = '<label>Message <input id="m"></label><button id="sb">Shadow Button</button><p id="shadow-status">shadow idle</p>';
    root.getElementById('sb').addEventListener('click', () => {
      root.getElementById('shadow-status').textContent = 'shadow clicked: ' + root.getElementById('m').value;
    });
  </script>`,
);

const FRAMES_INNER = page(
  'inner',
  `<label for="e">Email</label><input id="e" type="email">
  <button onclick="document.getElementById('fs').textContent = 'frame clicked: ' + document.getElementById('e').value">Frame Button</button>
  <p id="fs">frame idle</p>`,
);

const FILES = page(
  'ファイル',
  `<form method="post" action="/upload" enctype="multipart/form-data">
    <label for="f">添付ファイル</label><input type="file" id="f" name="file">
    <button type="submit">アップロード</button>
  </form>
  <p><a href="/download/report.csv">レポートをダウンロード</a></p>
  <p><a href="/download/data.bin">データをダウンロード</a></p>`,
);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A minimal multipart/form-data reader (enough for one browser-sent file). */
function parseMultipart(body: Buffer, contentType: string): Upload[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const out: Upload[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const filename = /filename="([^"]*)"/.exec(headers);
    const field = /name="([^"]*)"/.exec(headers);
    if (filename && field) out.push({ field: field[1], filename: filename[1], data: Buffer.from(part.subarray(headerEnd + 4)) });
    start = next;
  }
  return out;
}

export async function startTestSite(): Promise<TestSite> {
  const submissions: Submission[] = [];
  const uploads: Upload[] = [];
  const binary = Buffer.alloc(256 * 1024);
  for (let i = 0, x = 7; i < binary.length; i++) binary[i] = x = (x * 1103515245 + 12345) & 0xff;
  const csv = Buffer.from('\ufeff名前,金額\n山田 太郎,1000\n佐藤 花子,2500\n', 'utf8');
  let flakyHits = 0;
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, html: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method === 'POST' && (path === '/contact' || path === '/login')) {
      const fields = Object.fromEntries(new URLSearchParams((await readBody(req)).toString('utf8')));
      submissions.push({ path, fields });
      if (path === '/login') {
        res.setHeader('set-cookie', `user=${encodeURIComponent(fields.user ?? '')}; Path=/; HttpOnly`);
        return send(res, 200, page('ようこそ', `<p>ようこそ ${esc(fields.user ?? '')} さん</p>`));
      }
      const errors = REQUIRED.filter(([k]) => !fields[k]?.trim()).map(([, label]) => `${label}は必須です`);
      if (errors.length) return send(res, 200, contactForm(fields, errors));
      return send(res, 200, page('送信完了', `<h1>送信が完了しました</h1><p>${esc(fields.name)} 様、お問い合わせありがとうございました。</p>`));
    }
    if (req.method === 'POST' && path === '/upload') {
      const got = parseMultipart(await readBody(req), req.headers['content-type'] ?? '');
      uploads.push(...got);
      return send(res, 200, page('アップロード完了', got.map((u) => `<p>アップロード完了: ${esc(u.filename)} (${u.data.length} bytes)</p>`).join('')));
    }
    switch (path) {
      case '/':
        return send(res, 200, page('トップ', '<h1>トップ</h1><a href="/contact">お問い合わせ</a>'));
      case '/contact':
        return send(res, 200, contactForm());
      case '/login':
        return send(res, 200, LOGIN);
      case '/frames':
        return send(res, 200, FRAMES);
      case '/frames/inner':
        return send(res, 200, FRAMES_INNER);
      case '/files':
        return send(res, 200, FILES);
      case '/flaky':
        flakyHits++;
        return send(res, 200, page('flaky', flakyHits < 2 ? '<p>読み込み中…</p>' : '<button onclick="this.textContent=\'完了\'">次へ</button>'));
      case '/download/report.csv':
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="report.csv"; filename*=UTF-8''${encodeURIComponent('レポート.csv')}` });
        return res.end(csv);
      case '/download/data.bin':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="data.bin"' });
        return res.end(binary);
      case '/whoami': {
        const user = /(?:^|; )user=([^;]*)/.exec(req.headers.cookie ?? '');
        return send(res, 200, page('whoami', `<p>user: ${esc(user ? decodeURIComponent(user[1]) : 'anonymous')}</p>`));
      }
      case '/slow':
        return; // never answers: the navigation times out
      case '/missing':
        return send(res, 404, page('404', '<p>見つかりません</p>'));
      default:
        return send(res, 404, page('404', '<p>not found</p>'));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    submissions,
    uploads,
    binary,
    csv,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
