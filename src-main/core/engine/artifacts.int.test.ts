import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../security/redaction';
import { RunArtifacts } from './artifacts';

/** Artifacts leave the engine for disk: textual ones pass the Redactor, pictures and binaries do not. */

const SECRET = 'art-secret-é/+=&42';
let redactor: Redactor;
let sink: RunArtifacts;
let dir: string;
const stored = (name: string) => readFileSync(join(sink.dir, name));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'da-artifacts-'));
  redactor = new Redactor();
  redactor.register(SECRET);
  sink = new RunArtifacts(join(dir, 'run-1'), redactor);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('RunArtifacts', () => {
  it('masks the value and its URL and base64 forms in textual artifacts, and says so in the ref', async () => {
    const schema = JSON.stringify({ url: `http://site/next?token=${encodeURIComponent(SECRET)}`, title: SECRET, b64: Buffer.from(SECRET).toString('base64') });
    const ref = await sink.write('schema.json', schema, 'application/json', 'dom-schema');
    expect(JSON.parse(stored('schema.json').toString('utf8'))).toEqual({ url: 'http://site/next?token=***', title: '***', b64: '***' });
    expect(ref).toEqual({ name: 'schema.json', contentType: 'application/json', bytes: stored('schema.json').length, kind: 'dom-schema', masked: true });
    const html = await sink.write('page.html', Buffer.from(`<p>${SECRET}</p>`), 'text/html; charset=utf-8', 'page');
    expect(stored('page.html').toString('utf8')).toBe('<p>***</p>');
    expect(html.masked).toBe(true);
  });

  it('leaves clean text, pictures and binaries byte for byte as given, without a masked flag', async () => {
    const clean = await sink.write('notes.txt', 'nothing secret', 'text/plain', 'report');
    expect(clean).not.toHaveProperty('masked');
    // A PNG whose bytes happen to hold the value is an image: it is stored as it is.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.from(SECRET)]);
    expect(await sink.write('shot.png', png, 'image/png', 'screenshot')).not.toHaveProperty('masked');
    expect(stored('shot.png').equals(png)).toBe(true);
  });

  it('masks a textual file it adopts (a download), keeping the original where it was', async () => {
    const source = join(dir, 'report.csv');
    writeFileSync(source, `name,token\nbot,${SECRET}\n`);
    const ref = await sink.adopt(source, 'report.csv', 'text/csv', 'download');
    expect(stored('report.csv').toString('utf8')).toBe('name,token\nbot,***\n');
    expect(ref).toMatchObject({ name: 'report.csv', masked: true, bytes: stored('report.csv').length });
    expect(readFileSync(source, 'utf8')).toContain(SECRET);
  });

  it('masks the ASCII forms in text that is not UTF-8 and keeps every other byte', async () => {
    const ascii = 'ascii-secret-7f3a9c';
    redactor.register(ascii);
    // "氏名,トークン" in Shift_JIS, then the secret: not valid UTF-8.
    const sjisHeader = Buffer.from([0x8e, 0x81, 0x96, 0xbc, 0x2c, 0x83, 0x67, 0x81, 0x5b, 0x83, 0x4e, 0x83, 0x93, 0x0a]);
    await sink.write('sjis.csv', Buffer.concat([sjisHeader, Buffer.from(`${ascii},${Buffer.from(ascii).toString('base64')}\n`)]), 'text/csv', 'download');
    expect(stored('sjis.csv').equals(Buffer.concat([sjisHeader, Buffer.from('***,***\n')]))).toBe(true);
  });
});
